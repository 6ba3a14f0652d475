import t from 'tap'
import { scheduleTrashPurge } from '../../../src/vfs/trash/trash-schedule.js'

t.test('runs the purge, logs failures, is stoppable', async t => {
  let runs = 0
  const task = scheduleTrashPurge({
    purgeTrash: async () => {
      runs++
      if (runs === 2) throw new Error('bridge down')
    },
  })
  t.teardown(() => task.stop())
  await task.runNow()
  await task.runNow() // a failure is logged, not thrown
  t.equal(runs, 2)
  const next = new Date(task.nextRunMs()!)
  t.equal(next.getHours(), 3)
  t.equal(next.getMinutes(), 17)
  t.ok(next.getTime() > Date.now())
  task.stop()
})

t.test('a custom expression, and a bad one is refused with a hint', async t => {
  const task = scheduleTrashPurge({ purgeTrash: async () => {} }, '0 12 * * *')
  t.equal(new Date(task.nextRunMs()!).getHours(), 12)
  task.stop()
  t.throws(() => scheduleTrashPurge({ purgeTrash: async () => {} }, 'every day'), /invalid cron expression.*five fields/)
})
