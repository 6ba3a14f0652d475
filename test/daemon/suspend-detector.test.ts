import t from 'tap'
import { ManualTime } from '../helpers/manual-time.js'
import { SuspendDetector } from '../../src/daemon/suspend-detector.js'

function setup() {
  const time = new ManualTime()
  let offset = 0
  const gaps: number[] = []
  const detector = new SuspendDetector({ time, monotonicClock: time, wallClock: { now: () => time.now() + offset }, onResume: gap => gaps.push(gap) })
  return { time, detector, gaps, jump: (ms: number) => (offset += ms) }
}

t.test('a wall-clock jump between two ticks is a resume, reported once', async t => {
  const { time, detector, gaps, jump } = setup()
  detector.start()
  await time.advance(10_000)
  t.same(gaps, [], 'nothing while both clocks agree')
  jump(3_600_000) // an hour asleep: timers did not run, the wall clock moved
  await time.advance(1_000)
  t.same(gaps, [3_600_000])
  await time.advance(5_000)
  t.same(gaps, [3_600_000], 'once')
  jump(-60_000) // the clock set back
  await time.advance(1_000)
  t.same(gaps, [3_600_000, -60_000])
  jump(4_000) // NTP nudge below the threshold
  await time.advance(1_000)
  t.equal(gaps.length, 2)
  detector.stop()
  t.equal(time.pending, 0)
})

t.test('a stalled event loop (both clocks far ahead) also counts', async t => {
  const time = new ManualTime()
  const gaps: number[] = []
  const detector = new SuspendDetector({ time, monotonicClock: time, wallClock: time, tickMs: 1_000, onResume: g => gaps.push(g) })
  detector.start()
  detector.start()
  t.equal(time.pending, 1, 'start is idempotent')
  // The timer fires late, as after a long block: ManualTime runs it at
  // its due time, so move "now" by hand inside a longer wait.
  detector.stop()
  // a Time whose timers fire ten times late, on the manual time (no real-time wait)
  const late = new SuspendDetector({ time: { now: () => time.now(), setTimeout: (fn, ms) => time.setTimeout(fn, ms * 10) }, monotonicClock: time, wallClock: time, onResume: g => gaps.push(g) })
  late.start()
  await time.advance(10_000)
  t.same(gaps, [0], 'waited 10 s for a 1 s tick')
  late.stop()
})

t.test('defaults: monotonicClock and systemClock agree while awake', async t => {
  const time = new ManualTime()
  const gaps: number[] = []
  const d = new SuspendDetector({ time, onResume: g => gaps.push(g) })
  d.start()
  await time.advance(3_000)
  t.same(gaps, [])
  d.stop()
})
