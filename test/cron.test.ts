import t from 'tap'
import { cronOn, isCronExpression, systemCron } from '../src/cron.js'
import { fullGc } from './helpers/full-gc.js'
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

t.test('systemCron runs on real time: next run as cronOn computes it, stop clears it', async t => {
  const job = systemCron.schedule('*/15 * * * * *', () => {}, 'megamount-test')
  const ours = cronOn(new ManualTime(Date.now())).schedule('*/15 * * * * *', () => {}, 'test')
  t.equal(job.nextRunMs(), ours.nextRunMs())
  job.stop()
  ours.stop()
  t.equal(job.nextRunMs(), null)
  t.ok(isCronExpression('17 3 * * *'))
  t.notOk(isCronExpression('every day'))
})

/** A Time whose wall clock can jump ahead while its timers stand still, as
 *  across a suspend (timers run on the monotonic clock), and whose timers can
 *  fire a little early against the wall clock. */
class DriftingTime extends ManualTime {
  skewMs = 0
  earlyMs = 0
  override now(): number {
    return super.now() + this.skewMs
  }
  override setTimeout(fn: () => void, delayMs: number) {
    // early by a few ms on long waits; a wait shorter than that is kept
    return super.setTimeout(fn, delayMs > this.earlyMs ? delayMs - this.earlyMs : delayMs)
  }
}

t.test('a daily job whose time passed during a suspend runs within a minute of the wake', async t => {
  const time = new DriftingTime(new Date(2024, 2, 31, 12, 0, 0).getTime())
  const runs: number[] = []
  const job = cronOn(time).schedule('17 3 * * *', () => runs.push(time.now()), 'daily')
  time.skewMs = 18 * 3_600_000 // asleep from noon to 06:00 the next day
  await time.advance(60_000)
  t.equal(runs.length, 1, 'the 03:17 run, once')
  const next = new Date(job.nextRunMs()!)
  t.same([next.getDate(), next.getHours(), next.getMinutes()], [2, 3, 17], 'then the next day as usual')
  await time.advance(3_600_000)
  t.equal(runs.length, 1)
  job.stop()
})

t.test('a timer that fires a little before the due time runs the task once, at the due time', async t => {
  const time = new DriftingTime(1_700_000_000_000)
  time.earlyMs = 3
  const runs: number[] = []
  const job = cronOn(time).schedule('*/15 * * * * *', () => runs.push(time.now() - 1_700_000_000_000), 'test')
  await time.advance(60_000)
  t.same(runs, [10_000, 25_000, 40_000, 55_000], 'never early, never twice')
  job.stop()
})

// A stopped job must not keep its task's closure: the trash purge's task
// holds its whole filesystem (content cache, listings), and every unmount
// stops one. (node-cron's registry once kept stopped tasks for good.)
t.test('a stopped systemCron job no longer holds its task', async t => {
  let held: WeakRef<object>
  let job: ReturnType<typeof systemCron.schedule>
  {
    const filesystem = { cache: Buffer.alloc(1024 * 1024) }
    held = new WeakRef(filesystem)
    job = systemCron.schedule('17 3 * * *', () => filesystem.cache.length, 'megamount-test-held')
  }
  job.stop()
  await new Promise(resolve => setImmediate(resolve))
  fullGc()
  t.equal(held.deref(), undefined, 'collected once stopped')
  t.equal(job.nextRunMs(), null)
})
