import t from 'tap'
import { healthCronExpression, nodeCronScheduler, schedulerCron } from '../../src/daemon/health-cron.js'
import { ManualScheduler } from '../../src/daemon/scheduler.js'

t.test('expressions: seconds field below a minute, then minutes, hours, daily', async t => {
  t.equal(healthCronExpression(1), '*/1 * * * * *')
  t.equal(healthCronExpression(15), '*/15 * * * * *')
  t.equal(healthCronExpression(120), '0 */2 * * * *')
  t.equal(healthCronExpression(7200), '0 0 */2 * * *')
  t.equal(healthCronExpression(86_400), '0 0 0 * * *')
  t.throws(() => healthCronExpression(0), /whole number of seconds >= 1/)
  t.throws(() => healthCronExpression(1.5), /whole number/)
})

t.test('schedulerCron fires at the matching seconds of the injected clock', async t => {
  // 1_700_000_000_000 ms is second 20 of its minute.
  const scheduler = new ManualScheduler(1_700_000_000_000)
  const fired: number[] = []
  const job = schedulerCron(scheduler).schedule('*/15 * * * * *', () => fired.push((scheduler.now() - 1_700_000_000_000) / 1000), 'test')
  await scheduler.advance(60_000)
  t.same(fired, [10, 25, 40, 55], 'at :30, :45, :00, :15')
  job.stop()
  await scheduler.advance(60_000)
  t.equal(fired.length, 4, 'nothing after stop')
  t.equal(scheduler.pending, 0)
})

t.test('every second, and minutes', async t => {
  const scheduler = new ManualScheduler(1_700_000_000_000)
  let n = 0
  const job = schedulerCron(scheduler).schedule('*/1 * * * * *', () => n++, 'test')
  await scheduler.advance(5_000)
  t.equal(n, 5)
  job.stop()
  let m = 0
  const job2 = schedulerCron(scheduler).schedule(healthCronExpression(120), () => m++, 'test')
  await scheduler.advance(10 * 60_000)
  t.equal(m, 5, 'every two minutes')
  job2.stop()
})

t.test('node-cron runs the same expression on real time', async t => {
  let n = 0
  const job = nodeCronScheduler.schedule('*/1 * * * * *', () => n++, 'megamount-health-test')
  await new Promise(resolve => setTimeout(resolve, 2_300))
  job.stop()
  t.ok(n >= 1 && n <= 3, `fired ${n} times in 2.3 s`)
  const after = n
  await new Promise(resolve => setTimeout(resolve, 1_200))
  t.equal(n, after, 'stopped')
})
