import t from 'tap'
import { healthCronExpression } from '../../src/daemon/health-schedule.js'

t.test('expressions: seconds field below a minute, then minutes, hours, daily', async t => {
  t.equal(healthCronExpression(1), '*/1 * * * * *')
  t.equal(healthCronExpression(15), '*/15 * * * * *')
  t.equal(healthCronExpression(120), '0 */2 * * * *')
  t.equal(healthCronExpression(7200), '0 0 */2 * * *')
  t.equal(healthCronExpression(86_400), '0 0 0 * * *')
  t.throws(() => healthCronExpression(0), /whole number of seconds >= 1/)
  t.throws(() => healthCronExpression(1.5), /whole number/)
})
