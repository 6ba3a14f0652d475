import t from 'tap'
import { monotonicClock, sleep, systemTime, waitAtMost } from '../src/clock.js'
import { ManualTime } from './helpers/manual-time.js'

t.test('monotonicClock moves forward', async t => {
  const a = monotonicClock.now()
  // real-world wait: this is the machine's own clock under test
  await new Promise(r => setTimeout(r, 5))
  t.ok(monotonicClock.now() > a)
})

t.test('sleep ends when the injected time has passed, or rejects when aborted', async t => {
  const time = new ManualTime()
  let done = false
  const slept = sleep(1_000, undefined, time).then(() => (done = true)) // on the manual time, no real wait
  await time.advance(999)
  t.notOk(done, 'not before')
  await time.advance(1)
  await slept
  t.ok(done, 'at 1000 ms')
  const abort = new AbortController()
  const aborted = sleep(1_000, abort.signal, time) // on the manual time
  abort.abort(new Error('gone'))
  await t.rejects(aborted, { message: 'gone' })
  t.equal(time.pending, 0, 'its timer is cancelled')
  // on the manual time
  await t.rejects(sleep(1, abort.signal, time), { message: 'gone' }, 'an aborted signal rejects at once')
})

t.test('waitAtMost: the promise, or the time bound, whichever is first; never rejects', async t => {
  const time = new ManualTime()
  let resolveIt!: () => void
  const slow = new Promise<void>(r => (resolveIt = r))
  let over = false
  const bounded = waitAtMost(slow, 500, time).then(() => (over = true))
  await time.advance(499)
  t.notOk(over)
  await time.advance(1)
  await bounded
  t.ok(over, 'the bound ended it')
  resolveIt()
  await waitAtMost(Promise.reject(new Error('x')), 500, time)
  t.equal(time.pending, 0, 'a settled promise cancels the bound')
})

t.test('systemTime runs and cancels real timers', async t => {
  let ran = false
  // real-world wait: systemTime itself under test (a real timer, cancelled at once)
  const handle = systemTime.setTimeout(() => (ran = true), 0, { keepAlive: false })
  handle.cancel()
  // real-world wait: systemTime itself under test; one turn of the loop, where the cancelled timer would have run
  await new Promise(r => setTimeout(r, 5))
  t.notOk(ran)
  await new Promise<void>(resolve => systemTime.setTimeout(resolve, 0)) // real-world wait: systemTime itself under test
  t.ok(systemTime.now() <= Date.now())
})
