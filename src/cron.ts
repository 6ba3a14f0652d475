// Cron schedules (health checks, the daily trash purge) behind one small
// interface, fired on an injected Time (clock.ts): the system's in the
// daemon, the manual fake in tests. node-cron parses and validates the
// expressions; its scheduler is not used: it reads each tick's local time
// through Intl.DateTimeFormat, and building one loads ICU's date and
// time-zone data, 8.5 MiB of resident memory and 15-25 ms at every start
// (docs/performance.md). Local time from Date needs none of it.
import cron from 'node-cron'
import { systemTime, type Time, type TimerHandle } from './clock.js'

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

/** The longest single wait. Timers run on a clock that stands still while
 *  the machine is suspended, the wall clock does not: waking at least once a
 *  minute finds a due time that passed during a suspend (or a clock change)
 *  within a minute of the wake, not a whole suspend later. */
const LONGEST_WAIT_MS = 60_000

interface Fields {
  second: Set<number>
  minute: Set<number>
  hour: Set<number>
  dayOfMonth: Set<number>
  month: Set<number>
  dayOfWeek: Set<number>
}

/** Cron on a Time: the expressions node-cron parses, fired at the matching
 *  local times of that Time's clock. */
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
      let next: number | null = nextMatch(time.now(), fields)
      let running = false
      // stop() lets go of the task (and what its closure holds, such as a
      // filesystem) even while the caller keeps the job
      let run: (() => unknown) | null = task
      const wait = () => {
        if (next === null) return
        timer = time.setTimeout(fire, Math.min(next - time.now(), LONGEST_WAIT_MS))
      }
      const fire = () => {
        if (next === null || run === null) return
        const now = time.now()
        // A capped wait, or a timer a little ahead of the wall clock: not yet.
        if (now < next) return wait()
        next = nextMatch(now, fields)
        wait()
        if (running) return
        const result = run()
        if (result instanceof Promise) {
          running = true
          result.then(
            () => (running = false),
            () => (running = false),
          )
        }
      }
      wait()
      return {
        stop() {
          next = null
          run = null
          timer?.cancel()
          timer = null
        },
        nextRunMs: () => next,
      }
    },
  }
}

/** The daemon's cron, on the system's time. */
export const systemCron: Cron = cronOn(systemTime)

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
