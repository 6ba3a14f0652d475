// The periodic health check of a mount is a cron job (src/cron.ts); this is
// its expression for an interval in seconds.

/** The cron expression for a check every `seconds` seconds. Cron fields count
 *  within their unit, so an interval that does not divide a minute (or an
 *  hour, a day) fires at the multiples of it inside each unit: `*\/45` fires
 *  at :00 and :45, leaving a 15 s gap at the turn of the minute. */
export function healthCronExpression(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`health interval must be a whole number of seconds >= 1 (got ${seconds})`)
  if (seconds < 60) return `*/${seconds} * * * * *`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `0 */${minutes} * * * *`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `0 0 */${hours} * * *`
  return '0 0 0 * * *'
}
