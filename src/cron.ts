// Cron schedules (health checks, the daily trash purge) behind one small
// interface: node-cron in the daemon, and the same expressions fired on an
// injected Time (clock.ts), so tests run them on the manual fake.
import cron from 'node-cron'
import type { Time, TimerHandle } from './clock.js'

export interface CronJob {
  stop(): void
  /** When the task runs next, ms since the epoch; null once stopped. */
  nextRunMs(): number | null
}

export interface Cron {
  /** Runs task at every local time matching expression (five fields, or six
   *  with seconds first). A run that is still going when the next is due
   *  (an async task) makes that next one be skipped. */
  schedule(expression: string, task: () => unknown, name: string): CronJob
}

export function isCronExpression(expression: string): boolean {
  return cron.validate(expression)
}

/** The daemon's cron: node-cron on real time. */
export const systemCron: Cron = {
  schedule(expression, task, name) {
    const job = cron.schedule(expression, () => task(), { name, noOverlap: true, suppressMissedWarning: true })
    let stopped = false
    return {
      stop() {
        stopped = true
        // destroy, not stop: node-cron keeps a stopped task in its registry
        // for good, and with it whatever the task's closure holds (an
        // unmounted filesystem, through its trash purge).
        void job.destroy()
      },
      nextRunMs: () => (stopped ? null : (job.getNextRun()?.getTime() ?? null)),
    }
  },
}

interface Fields {
  second: Set<number>
  minute: Set<number>
  hour: Set<number>
  dayOfMonth: Set<number>
  month: Set<number>
  dayOfWeek: Set<number>
}

/** Cron on a Time: the same expressions (node-cron parses them), fired at the
 *  matching local times of that Time's clock. */
export function cronOn(time: Time): Cron {
  return {
    schedule(expression, task) {
      const p = cron.parse(expression)
      const fields: Fields = {
        second: numbers(p.second),
        minute: numbers(p.minute),
        hour: numbers(p.hour),
        dayOfMonth: numbers(p.dayOfMonth),
        month: numbers(p.month),
        dayOfWeek: numbers(p.dayOfWeek),
      }
      let timer: TimerHandle | null = null
      let next: number | null = null
      let running = false
      const arm = () => {
        const now = time.now()
        const due = nextMatch(now, fields)
        next = due
        timer = time.setTimeout(() => {
          if (next === null) return
          arm()
          if (running) return
          const result = task()
          if (result instanceof Promise) {
            running = true
            result.then(
              () => (running = false),
              () => (running = false),
            )
          }
        }, due - now)
      }
      arm()
      return {
        stop() {
          next = null
          timer?.cancel()
        },
        nextRunMs: () => next,
      }
    },
  }
}

const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b)
// node-cron's parse types its fields loosely; its values are numbers (month 1-12, weekday 0-6).
const numbers = (values: readonly (string | number)[]) => new Set(values.map(Number))

/** The first time after nowMs (whole seconds, local time) that matches. */
function nextMatch(nowMs: number, f: Fields): number {
  const start = new Date(Math.floor(nowMs / 1000) * 1000 + 1000)
  const [hours, minutes, seconds] = [sorted(f.hour), sorted(f.minute), sorted(f.second)]
  for (let d = 0; d < 4 * 366; d++) {
    const day = new Date(start.getFullYear(), start.getMonth(), start.getDate() + d)
    if (!f.month.has(day.getMonth() + 1) || !f.dayOfMonth.has(day.getDate()) || !f.dayOfWeek.has(day.getDay())) continue
    for (const h of hours) {
      if (d === 0 && h < start.getHours()) continue
      for (const m of minutes) {
        if (d === 0 && h === start.getHours() && m < start.getMinutes()) continue
        for (const s of seconds) {
          const t = new Date(day.getFullYear(), day.getMonth(), day.getDate(), h, m, s).getTime()
          if (t >= start.getTime()) return t
        }
      }
    }
  }
  throw new Error('cron expression never matches within four years')
}
