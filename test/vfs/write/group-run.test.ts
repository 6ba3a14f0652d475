import t from 'tap'
import { GroupRun } from '../../../src/vfs/write/group-run.js'

t.test('callers during a run share the next one; every caller is covered by a run that started after it asked', async t => {
  const starts: number[] = []
  let release: (() => void) | null = null
  let asked = 0
  const group = new GroupRun(async () => {
    starts.push(asked)
    await new Promise<void>(r => (release = r))
  })
  const first = group.run()
  asked = 1
  const second = Array.from({ length: 10 }, () => group.run())
  t.equal(starts.length, 1, 'one run under way')
  release!()
  await first
  await new Promise(r => setImmediate(r))
  t.equal(starts.length, 2, 'the ten callers share one more run')
  t.equal(starts[1], 1, 'which started after they asked')
  release!()
  await Promise.all(second)
  const third = group.run()
  await new Promise(r => setImmediate(r))
  release!()
  await third
  t.equal(starts.length, 3, 'an idle group runs at once')
})

t.test('a failed run rejects its callers; the next run is tried anew', async t => {
  let fail = true
  const group = new GroupRun(async () => {
    if (fail) throw new Error('disk')
  })
  await t.rejects(group.run(), /disk/)
  fail = false
  await group.run()
})
