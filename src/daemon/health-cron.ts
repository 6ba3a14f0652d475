// Periodic health checks are cron jobs (node-cron, as the issue asks), behind
// a small interface so tests run the same expressions on a ManualScheduler's
// clock instead of on real time.
import cron from 'node-cron'
import type { Scheduler, TimerHandle } from './scheduler.js'

export interface CronJob {
  stop(): void
}

export interface CronScheduler {
  /** Runs `task` at every time matching `expression` (six fields, seconds first). */
  schedule(expression: string, task: () => void, name: string): CronJob
}

/** The production scheduler: node-cron. Overlap is prevented by the callers,
 *  which skip a tick while their previous check is still running. */
export const nodeCronScheduler: CronScheduler = {
  schedule(expression, task, name) {
    const job = cron.schedule(expression, () => task(), { name, suppressMissedWarning: true })
    return { stop: () => void job.stop() }
  },
}

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

/** Cron on a Scheduler: the same expressions, fired at the matching local
 *  times of the scheduler's clock. Only the seconds, minutes and hours fields
 *  are read (the day fields of healthCronExpression are always '*'). */
export function schedulerCron(scheduler: Scheduler): CronScheduler {
  return {
    schedule(expression, task) {
      const fields = cron.parse(expression)
      const match = { s: new Set(fields.second), m: new Set(fields.minute), h: new Set(fields.hour) }
      let timer: TimerHandle | null = null
      let stopped = false
      const arm = () => {
        const now = scheduler.now()
        const next = nextMatch(now, match)
        timer = scheduler.setTimeout(() => {
          if (stopped) return
          arm()
          task()
        }, next - now)
      }
      arm()
      return {
        stop() {
          stopped = true
          scheduler.clearTimeout(timer)
        },
      }
    },
  }
}

function nextMatch(nowMs: number, match: { s: Set<number>; m: Set<number>; h: Set<number> }): number {
  let t = Math.floor(nowMs / 1000) * 1000 + 1000
  for (let i = 0; i < 2 * 86_400; i++, t += 1000) {
    const d = new Date(t)
    if (match.s.has(d.getSeconds()) && match.m.has(d.getMinutes()) && match.h.has(d.getHours())) return t
  }
  throw new Error('cron expression never matches within two days')
}
