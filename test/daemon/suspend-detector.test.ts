import t from 'tap'
import { ManualScheduler } from '../../src/daemon/scheduler.js'
import { SuspendDetector, monotonicNow } from '../../src/daemon/suspend-detector.js'

function setup() {
  const scheduler = new ManualScheduler()
  let offset = 0
  const gaps: number[] = []
  const detector = new SuspendDetector({ scheduler, monotonicClock: scheduler, wallClock: { now: () => scheduler.now() + offset }, onResume: gap => gaps.push(gap) })
  return { scheduler, detector, gaps, jump: (ms: number) => (offset += ms) }
}

t.test('a wall-clock jump between two ticks is a resume, reported once', async t => {
  const { scheduler, detector, gaps, jump } = setup()
  detector.start()
  await scheduler.advance(10_000)
  t.same(gaps, [], 'nothing while both clocks agree')
  jump(3_600_000) // an hour asleep: timers did not run, the wall clock moved
  await scheduler.advance(1_000)
  t.same(gaps, [3_600_000])
  await scheduler.advance(5_000)
  t.same(gaps, [3_600_000], 'once')
  jump(-60_000) // the clock set back
  await scheduler.advance(1_000)
  t.same(gaps, [3_600_000, -60_000])
  jump(4_000) // NTP nudge below the threshold
  await scheduler.advance(1_000)
  t.equal(gaps.length, 2)
  detector.stop()
  t.equal(scheduler.pending, 0)
})

t.test('a stalled event loop (both clocks far ahead) also counts', async t => {
  const scheduler = new ManualScheduler()
  const gaps: number[] = []
  const detector = new SuspendDetector({ scheduler, monotonicClock: scheduler, wallClock: scheduler, tickMs: 1_000, onResume: g => gaps.push(g) })
  detector.start()
  detector.start()
  t.equal(scheduler.pending, 1, 'start is idempotent')
  // The timer fires late, as after a long block: ManualScheduler runs it at
  // its due time, so move "now" by hand inside a longer wait.
  detector.stop()
  const late = new SuspendDetector({ scheduler: { ...scheduler, now: () => scheduler.now(), setTimeout: (fn, ms) => scheduler.setTimeout(fn, ms * 10), clearTimeout: h => scheduler.clearTimeout(h) }, monotonicClock: scheduler, wallClock: scheduler, onResume: g => gaps.push(g) })
  late.start()
  await scheduler.advance(10_000)
  t.same(gaps, [0], 'waited 10 s for a 1 s tick')
  late.stop()
})

t.test('defaults: performance.now and Date.now agree while awake', async t => {
  const scheduler = new ManualScheduler()
  const gaps: number[] = []
  const d = new SuspendDetector({ scheduler, onResume: g => gaps.push(g) })
  d.start()
  await scheduler.advance(3_000)
  t.same(gaps, [])
  d.stop()
})

t.test('monotonicNow moves forward', async t => {
  const a = monotonicNow()
  await new Promise(r => setTimeout(r, 5))
  t.ok(monotonicNow() > a)
})
