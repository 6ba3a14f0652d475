// How long to wait before trying an upload again. Doubling from
// retryInitialDelayMs up to retryMaxDelayMs, with jitter so that the uploads
// of a mount do not all hit a bridge that just came back in the same instant.

export interface BackoffOptions {
  retryInitialDelayMs: number
  retryMaxDelayMs: number
  /** A number in [0, 1); injected so tests get exact delays. */
  random: () => number
}

/** Delay before try number `failures + 1`, failures >= 1. The result lies in
 *  [base * 0.8, base * 1.2], base = min(initial * 2^(failures-1), max), and
 *  never exceeds the maximum. */
export function retryDelayMs(failures: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30)
  const base = Math.min(options.retryInitialDelayMs * 2 ** exponent, options.retryMaxDelayMs)
  const jittered = base * (0.8 + 0.4 * options.random())
  return Math.round(Math.min(jittered, options.retryMaxDelayMs))
}
