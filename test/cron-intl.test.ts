// Its own file: node-cron caches the formatters it builds per process, so
// this must run before anything else schedules.
import t from 'tap'
import { systemCron } from '../src/cron.js'

// node-cron's scheduler reads every tick's local time through
// Intl.DateTimeFormat: building one loads ICU's date and time-zone data,
// 8.5 MiB of resident memory and 15-25 ms at start, in a daemon that
// otherwise never formats a date.
t.test('scheduling on systemCron builds no Intl.DateTimeFormat', async t => {
  const Original = Intl.DateTimeFormat
  let built = 0
  const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
    built++
    return new Original(...args)
  } as unknown as typeof Intl.DateTimeFormat
  Intl.DateTimeFormat = Counting
  try {
    const job = systemCron.schedule('*/1 * * * * *', () => {}, 'megamount-test-intl')
    job.nextRunMs()
    job.stop()
  } finally {
    Intl.DateTimeFormat = Original
  }
  t.equal(built, 0)
})
