// Timers behind an interface, so retry backoff and health probes run on a
// clock the tests drive (ManualScheduler) instead of on real time.
import type { Clock } from '../clock.js'

export interface TimerHandle {
  readonly id: number
}

export interface Scheduler extends Clock {
  setTimeout(fn: () => void, delayMs: number): TimerHandle
  clearTimeout(handle: TimerHandle | null | undefined): void
}

export function createSystemScheduler(): Scheduler {
  const timers = new Map<number, NodeJS.Timeout>()
  let nextId = 1
  return {
    now: () => Date.now(),
    setTimeout(fn, delayMs) {
      const id = nextId++
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id)
          fn()
        }, delayMs),
      )
      return { id }
    },
    clearTimeout(handle) {
      if (!handle) return
      clearTimeout(timers.get(handle.id))
      timers.delete(handle.id)
    },
  }
}

/** A scheduler whose time moves only when advance() is called. Due timers run
 *  in order, each at its own due time, and the promises they start are given
 *  the chance to settle before the next one runs. */
export class ManualScheduler implements Scheduler {
  private time: number
  private nextId = 1
  private readonly timers = new Map<number, { due: number; fn: () => void }>()

  constructor(startMs = 1_700_000_000_000) {
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++
    this.timers.set(id, { due: this.time + Math.max(0, delayMs), fn })
    return { id }
  }

  clearTimeout(handle: TimerHandle | null | undefined): void {
    if (handle) this.timers.delete(handle.id)
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.size
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    await settle()
    for (;;) {
      let next: [number, { due: number; fn: () => void }] | undefined
      for (const entry of this.timers) if (entry[1].due <= end && (!next || entry[1].due < next[1].due)) next = entry
      if (!next) break
      this.timers.delete(next[0])
      this.time = next[1].due
      next[1].fn()
      await settle()
    }
    this.time = end
  }
}

/** Lets chains of already-resolved promises run to their end. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>(resolve => setImmediate(resolve))
}
