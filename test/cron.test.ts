import t from 'tap'
import cron from 'node-cron'
import { cronOn, isCronExpression, systemCron } from '../src/cron.js'
import { ManualTime } from './helpers/manual-time.js'

t.test('cronOn fires at the matching seconds of the injected clock', async t => {
  // 1_700_000_000_000 ms is second 20 of its minute.
  const time = new ManualTime(1_700_000_000_000)
  const fired: number[] = []
  const job = cronOn(time).schedule('*/15 * * * * *', () => fired.push((time.now() - 1_700_000_000_000) / 1000), 'test')
  await time.advance(60_000)
  t.same(fired, [10, 25, 40, 55], 'at :30, :45, :00, :15')
  job.stop()
  await time.advance(60_000)
  t.equal(fired.length, 4, 'nothing after stop')
  t.equal(time.pending, 0)
  t.equal(job.nextRunMs(), null)
})

t.test('every second, and minutes', async t => {
  const time = new ManualTime(1_700_000_000_000)
  let n = 0
  const job = cronOn(time).schedule('*/1 * * * * *', () => n++, 'test')
  await time.advance(5_000)
  t.equal(n, 5)
  job.stop()
  let m = 0
  const job2 = cronOn(time).schedule('0 */2 * * * *', () => m++, 'test')
  await time.advance(10 * 60_000)
  t.equal(m, 5, 'every two minutes')
  job2.stop()
})

t.test('five fields, days and weekdays: a daily job at 03:17 local time, a Monday one', async t => {
  const start = new Date(2024, 2, 31, 12, 0, 0).getTime() // a Sunday, noon
  const time = new ManualTime(start)
  const runs: Date[] = []
  const daily = cronOn(time).schedule('17 3 * * *', () => runs.push(new Date(time.now())), 'daily')
  const next = new Date(daily.nextRunMs()!)
  t.same([next.getDate(), next.getHours(), next.getMinutes(), next.getSeconds()], [1, 3, 17, 0], 'next: the 1st of April, 03:17:00')
  await time.advance(3 * 86_400_000)
  t.same(runs.map(d => d.getDate()), [1, 2, 3])
  daily.stop()
  const monday = cronOn(time).schedule('0 9 * * mon', () => {}, 'monday')
  t.equal(new Date(monday.nextRunMs()!).getDay(), 1)
  monday.stop()
})

t.test('an async task still running when the next is due: that next one is skipped', async t => {
  const time = new ManualTime(1_700_000_000_000)
  let started = 0
  let finish!: () => void
  const job = cronOn(time).schedule('*/1 * * * * *', () => {
    started++
    return new Promise<void>(r => (finish = r))
  }, 'slow')
  await time.advance(3_000)
  t.equal(started, 1, 'one run, two skipped')
  finish()
  await time.advance(1_000)
  t.equal(started, 2)
  job.stop()
})

t.test('systemCron is node-cron: it agrees with cronOn on the next run, and stops', async t => {
  const job = systemCron.schedule('*/15 * * * * *', () => {}, 'megamount-test')
  const ours = cronOn(new ManualTime(Date.now())).schedule('*/15 * * * * *', () => {}, 'test')
  t.equal(job.nextRunMs(), ours.nextRunMs())
  job.stop()
  ours.stop()
  t.equal(job.nextRunMs(), null)
  t.ok(isCronExpression('17 3 * * *'))

  t.notOk(isCronExpression('every day'))
})

// node-cron keeps every task in a registry of its own until it is
// destroyed; a stopped task stayed there with its closure, so every unmount
// kept the whole unmounted filesystem (its content cache, up to 32 MiB, and
// its listings) alive through the trash purge's job.
t.test('a stopped systemCron job is no longer held by node-cron', async t => {
  const held = () => [...cron.getTasks().values()].filter(task => task.name === 'megamount-test-held').length
  const before = held()
  const job = systemCron.schedule('17 3 * * *', () => {}, 'megamount-test-held')
  t.equal(held(), before + 1)
  job.stop()
  t.equal(held(), before, 'gone from the registry')
  t.equal(job.nextRunMs(), null)
})
