// The one fake of src/clock.ts's Time: time moves only when a test calls
// advance(), and due timers fire in order, each at its own due time, with
// the promise chains they start given the chance to settle before the next.
// (tap reports this file as "no tests found".)
import type { Time, TimerHandle } from '../../src/clock.js'

export const MANUAL_TIME_START_MS = 1_700_000_000_000

export class ManualTime implements Time {
  private time: number
  private nextId = 1
  private readonly timers = new Map<number, { due: number; fn: () => void }>()
  /** The delay asked of every setTimeout so far, in order (to check backoff). */
  readonly delays: number[] = []

  /** instant: every timer fires on the next turn of the loop instead of
   *  waiting for advance() (time still moves to its due time), for tests that
   *  do not care how long a retry waits. */
  constructor(
    startMs = MANUAL_TIME_START_MS,
    private readonly options: { instant?: boolean } = {},
  ) {
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  // the fake's own setTimeout: fires only on advance() (or on the next turn, instant), never in real time
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++
    const due = this.time + Math.max(0, delayMs)
    this.delays.push(delayMs)
    if (this.options.instant) {
      const immediate = setImmediate(() => {
        this.time = Math.max(this.time, due)
        fn()
      })
      return { cancel: () => clearImmediate(immediate) }
    }
    this.timers.set(id, { due, fn })
    return { cancel: () => void this.timers.delete(id) }
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size
  }

  /** The delays, from now, of the timers due within ms, soonest first. */
  dueWithin(ms: number): number[] {
    return [...this.timers.values()].map(t => t.due - this.time).filter(d => d <= ms).sort((a, b) => a - b)
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    await settle()
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined
      for (const entry of this.timers) if (entry[1].due <= end && (!next || entry[1].due < next[1].due)) next = entry
      if (!next) break
      this.timers.delete(next[0])
      this.time = Math.max(this.time, next[1].due)
      next[1].fn()
      await settle()
    }
    this.time = end
  }
}

/** Lets chains of already-resolved promises (and immediates) run to their end. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

/** Turns the event loop (no timer, no real-time sleep) until check() holds,
 *  for work that runs on promises and immediates only; throws after `rounds`
 *  turns. Work that waits on the disk or another process uses waitUntil
 *  (wait-until.ts) instead. */
export async function settleUntil(what: string, check: () => boolean, rounds = 10_000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (check()) return
    await new Promise<void>(resolve => setImmediate(resolve))
  }
  if (!check()) throw new Error(`${what}: still not so after ${rounds} turns of the event loop`)
}
