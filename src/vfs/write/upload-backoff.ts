// When a failed upload is tried again. How long to wait: doubling from
// retryInitialDelayMs up to retryMaxDelayMs, with jitter so that the uploads
// of a mount do not all hit a bridge that just came back in the same instant.
// Whether the failure counts: a failure of the transport is retried for as
// long as it takes; one only the user can fix fails the upload at once.
import { RemoteError } from '../../remote/remote.js'

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

/** The bridge down, a timeout, 503, or the root answering 404 while MEGAcmd
 *  is logged out: retried with backoff forever, not counted against the file. */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof RemoteError && (error.transient || error.kind === 'root-missing')
}

/** A full account (507) or a refused folder (403): no retry can help. */
export function needsTheUser(error: unknown): boolean {
  return error instanceof RemoteError && (error.kind === 'no-space' || error.kind === 'forbidden')
}

/** The failure as the journal and `mountctl uploads` show it. */
export function describeFailure(error: unknown): string {
  if (error instanceof RemoteError) return error.status !== undefined ? `${error.kind} (${error.status}): ${error.message}` : `${error.kind}: ${error.message}`
  if (error instanceof Error) return error.message
  return String(error)
}
