import t from 'tap'
import { ManualTime } from '../helpers/manual-time.js'
import { IdleReducer, reducerForMounts, type KernelActivity } from '../../src/daemon/idle-reducer.js'
import { silentLogger } from '../../src/log.js'

const MiB = 1024 * 1024

/** A daemon as the reducer sees it: requests counted, memory that grows
 *  with the work and shrinks when reduced. */
function setup(options: { minIntervalMs?: number } = {}) {
  const time = new ManualTime()
  const state: { activity: KernelActivity | null; rss: number; afterReduce: number; young: number } = { activity: { requests: 0, pending: 0 }, rss: 80 * MiB, afterReduce: 80 * MiB, young: 1 * MiB }
  const reductions: number[] = []
  const reducer = new IdleReducer({
    time,
    logger: silentLogger,
    activity: () => state.activity && { ...state.activity },
    rssBytes: () => state.rss,
    youngGenerationBytes: () => state.young,
    reduce: () => {
      reductions.push(time.now())
      state.rss = state.afterReduce
      state.young = 1 * MiB
    },
    checkMs: 500,
    minGrowthBytes: 8 * MiB,
    minIntervalMs: options.minIntervalMs ?? 5_000,
  })
  /** Requests arrive every 100 ms for ms, and memory grows to rss. */
  const burst = async (ms: number, rssMiB: number) => {
    for (let done = 0; done < ms; done += 100) {
      state.activity!.requests += 3
      await time.advance(100)
    }
    state.rss = rssMiB * MiB
  }
  /** Started, the mounts made and their first requests answered: the
   *  quiet moment growth counts from. */
  const startQuiet = async (rssMiB = 80) => {
    reducer.start()
    await burst(300, rssMiB)
    await time.advance(1_000)
  }
  return { time, state, reductions, reducer, burst, startQuiet }
}

t.test('what start-up loaded is no burst: the first quiet moment only sets where growth counts from', async t => {
  const { time, state, reductions, reducer, burst } = setup()
  state.rss = 40 * MiB
  reducer.start()
  await burst(300, 75) // modules, the mount, its store: +35 MiB
  await time.advance(5_000)
  t.same(reductions, [])
  await burst(2_000, 90)
  await time.advance(1_000)
  t.equal(reductions.length, 1, 'growth from there counts')
})

t.test('a burst that grew memory is reduced once the mounts are quiet, not during it', async t => {
  const { time, state, reductions, reducer, burst, startQuiet } = setup()
  await startQuiet()
  state.rss = 110 * MiB // grows while the crawl runs
  await burst(10_000, 110)
  t.same(reductions, [], 'never while requests keep arriving')
  const quietFrom = time.now()
  await time.advance(1_100)
  t.equal(reductions.length, 1, 'within a check interval or two of quiet')
  t.ok(reductions[0]! - quietFrom >= 500, 'after a whole interval without a request')
  t.match(reducer.stats(), { reductions: 1, freedBytes: 30 * MiB })
  await time.advance(60_000)
  t.equal(reductions.length, 1, 'an idle daemon is left alone')
  reducer.stop()
  t.equal(time.pending, 0, 'stop leaves no timer')
})

t.test('a quiet moment without growth, or a request still unanswered, is no reason', async t => {
  const { time, state, reductions, burst, startQuiet } = setup()
  await startQuiet()
  await burst(3_000, 84) // +4 MiB: below the threshold
  await time.advance(2_000)
  t.same(reductions, [], 'little growth')
  await burst(1_000, 100)
  state.activity!.pending = 1 // a lookup waiting on a slow server
  await time.advance(5_000)
  t.same(reductions, [], 'a request waits for its answer: still activity')
  state.activity!.pending = 0
  await time.advance(1_000)
  t.equal(reductions.length, 1)
})

t.test('at most once per minIntervalMs; a later burst is reduced when the interval has passed', async t => {
  const { time, reductions, burst, startQuiet } = setup({ minIntervalMs: 5_000 })
  await startQuiet()
  await burst(1_000, 100)
  await time.advance(1_000)
  t.equal(reductions.length, 1)
  await burst(1_000, 100)
  await time.advance(1_000)
  t.equal(reductions.length, 1, 'too soon after the last one')
  await time.advance(3_000)
  t.equal(reductions.length, 2, 'once the interval has passed, still quiet')
  t.ok(reductions[1]! - reductions[0]! >= 5_000)
})

t.test('growth counts from the lowest quiet size, so memory V8 gave back by itself is not counted twice', async t => {
  const { time, state, reductions, burst, startQuiet } = setup()
  await startQuiet(90)
  await burst(1_000, 70) // V8 shrank on its own
  await time.advance(1_000)
  t.same(reductions, [])
  await burst(1_000, 76) // +6 from the low: not yet
  await time.advance(1_000)
  t.same(reductions, [])
  await burst(1_000, 79) // +9 from the low
  await time.advance(1_000)
  t.equal(reductions.length, 1)
  t.same(state.rss, 80 * MiB)
})

t.test('a mount that cannot count its requests (fuse-native) turns it off', async t => {
  const { time, state, reductions, burst, startQuiet } = setup()
  await startQuiet()
  await burst(1_000, 120)
  state.activity = null
  await time.advance(10_000)
  t.same(reductions, [])
})

t.test('a failing reduction is logged and does not stop the checks', async t => {
  const time = new ManualTime()
  let requests = 0
  let rss = 80 * MiB
  let calls = 0
  const warnings: unknown[] = []
  const logger = { ...silentLogger, warn: (o: unknown) => void warnings.push(o), debug: () => {} } as unknown as typeof silentLogger
  const reducer = new IdleReducer({
    time,
    logger,
    activity: () => ({ requests, pending: 0 }),
    rssBytes: () => rss,
    youngGenerationBytes: () => 0,
    reduce: () => {
      calls++
      throw new Error('boom')
    },
    minIntervalMs: 0,
  })
  reducer.start()
  requests += 10
  await time.advance(1_000) // the quiet moment after start-up
  for (const round of [1, 2]) {
    requests += 10
    rss += 10 * MiB
    await time.advance(500)
    await time.advance(500)
    t.equal(calls, round)
  }
  t.equal(warnings.length, 2)
  reducer.stop()
})

t.test('over the daemon\'s mounts: requests summed, caches emptied before the collection, off while one cannot count', async t => {
  const time = new ManualTime()
  const calls: string[] = []
  const mount = (name: string, activity: KernelActivity | null) => ({ activity, kernelActivity() { return this.activity }, releaseMemory: () => void calls.push(`release ${name}`) })
  const a = mount('a', { requests: 0, pending: 0 })
  const b = mount('b', { requests: 0, pending: 0 })
  const mounts = [a, b]
  let rss = 80 * MiB
  const reducer = reducerForMounts(() => mounts, { reduce: () => void calls.push('reduce'), rssBytes: () => rss, youngGenerationBytes: () => 0 }, { time, logger: silentLogger })
  reducer.start()
  a.activity = { requests: 5, pending: 0 }
  await time.advance(1_000) // the first quiet moment
  b.activity = { requests: 7, pending: 0 } // only b is busy: the daemon is
  rss = 100 * MiB
  await time.advance(500)
  t.same(calls, [], 'activity on one mount is activity')
  await time.advance(1_000)
  t.same(calls, ['release a', 'release b', 'reduce'])
  mounts.push(mount('fuse-native', null))
  b.activity = { requests: 20, pending: 0 }
  rss = 120 * MiB
  await time.advance(10_000)
  t.equal(calls.length, 3, 'nothing once a mount cannot count its requests')
  reducer.stop()
})

t.test('a young generation grown by the burst is reason enough, even when the resident size grew little above its low', async t => {
  const { time, state, reductions, burst, startQuiet } = setup()
  await startQuiet(100) // a mount's read buffers were held at that moment
  await burst(1_000, 70) // unmounted since: the low is 70
  await time.advance(1_000)
  await burst(10_000, 75) // the crawl: +5 MiB resident, the young generation at 16 MiB
  state.young = 16 * MiB
  await time.advance(1_000)
  t.equal(reductions.length, 1)
  await burst(1_000, 76)
  state.young = 4 * MiB
  await time.advance(10_000)
  t.equal(reductions.length, 1, 'a young generation below minGrowthBytes and little growth: nothing')
})
