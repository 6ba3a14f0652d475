// The periodic health check of one mounted mount: a cron job every
// healthIntervalSeconds (read at each tick, so an edit of the file takes
// effect), which skips a tick while the previous check still runs (a hung
// bridge holds a probe up to requestTimeoutMs), so checks never pile up.
import type { Cron, CronJob } from '../cron.js'

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

export interface HealthScheduleOptions {
  cron: Cron
  intervalMs: () => number
  /** Names the cron job (for logs). */
  name: string
  check: () => Promise<void>
}

export class HealthSchedule {
  #job: { job: CronJob; expression: string } | null = null
  #checking = false

  constructor(private readonly o: HealthScheduleOptions) {}

  start(): void {
    const expression = this.#expression()
    this.#job?.job.stop()
    this.#job = { expression, job: this.o.cron.schedule(expression, () => this.tick(), this.o.name) }
  }

  stop(): void {
    this.#job?.job.stop()
    this.#job = null
  }

  /** Check now (a cron tick, or outside the schedule); skipped while the
   *  previous check runs. */
  tick(): void {
    if (this.#checking) return
    if (this.#job && this.#job.expression !== this.#expression()) this.start() // changed in the file
    this.#checking = true
    void this.o.check().finally(() => {
      this.#checking = false
    })
  }

  #expression(): string {
    return healthCronExpression(Math.max(1, Math.round(this.o.intervalMs() / 1000)))
  }
}
