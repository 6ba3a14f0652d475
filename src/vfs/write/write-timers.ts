// Timers are injected beside the Clock (src/clock.ts) so that upload delays,
// retry backoff and drain timeouts can be driven by tests without sleeping.
// The Clock says what time it is; Timers say when to call back.

export interface TimerHandle {
  cancel(): void
}

export interface Timers {
  /** Call fn once after delayMs (0 or less: on the next turn of the loop). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle
}

export const systemTimers: Timers = {
  setTimeout(fn, delayMs) {
    const timer = setTimeout(fn, Math.max(0, delayMs))
    // A pending upload delay must not keep a process alive on its own: the
    // daemon stays up for its own reasons, and tests and tools exit cleanly.
    timer.unref()
    return { cancel: () => clearTimeout(timer) }
  },
}
