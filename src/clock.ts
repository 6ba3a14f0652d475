// Time, injected wherever behaviour depends on it (TTLs, quiet delays,
// backoff, probe bounds, health checks, schedules), so that tests drive one
// manual fake (test/helpers/manual-time.ts) instead of sleeping. Code that
// only reads the time takes a Clock; code that waits takes a Time. Cron
// schedules are in cron.ts, on the same Time.

export interface Clock {
  /** Milliseconds since the epoch (or, for monotonicClock, since start). */
  now(): number
}

export interface TimerHandle {
  /** The callback will not run; harmless after it ran. */
  cancel(): void
}

export interface TimerOptions {
  /** Whether this timer alone keeps the process running. Default true;
   *  false for background delays (a pending upload delay) so tools and tests
   *  exit when their work is done. */
  keepAlive?: boolean
}

export interface Time extends Clock {
  /** Calls fn once after delayMs (0 or less: on the next turn of the loop). */
  setTimeout(fn: () => void, delayMs: number, options?: TimerOptions): TimerHandle
}

export const systemClock: Clock = { now: () => Date.now() }

/** The clock timers run on: it stands still while the machine is suspended
 *  (Linux CLOCK_MONOTONIC, macOS mach_absolute_time), while the wall clock
 *  jumps ahead (suspend-detector.ts compares the two). */
export const monotonicClock: Clock = { now: () => performance.now() }

export const systemTime: Time = {
  now: () => Date.now(),
  setTimeout(fn, delayMs, options = {}) {
    const timer = setTimeout(fn, Math.max(0, delayMs))
    if (options.keepAlive === false) timer.unref()
    return { cancel: () => clearTimeout(timer) }
  },
}

/** Resolves after ms on `time`; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal, time: Time = systemTime): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      timer.cancel()
      reject(signal?.reason)
    }
    const timer = time.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Resolves when promise settles or after ms, whichever is first; never rejects. */
export function waitAtMost(promise: Promise<unknown>, ms: number, time: Time = systemTime): Promise<void> {
  return new Promise(resolve => {
    const timer = time.setTimeout(resolve, ms)
    const done = () => {
      timer.cancel()
      resolve()
    }
    promise.then(done, done)
  })
}
