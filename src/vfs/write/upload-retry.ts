// The retry policy of the upload queue, by failure kind (upload-failure.ts).
// Whether a failure counts: a failure of the transport is retried for as
// long as it takes; one only the user can fix fails the upload at once; any
// other is tried maxAttempts times. How long to wait: doubling from
// retryInitialDelayMs up to retryMaxDelayMs, with jitter so that the uploads
// of a mount do not all hit a bridge that just came back in the same instant.
import type { UploadErrorKind } from './upload-failure.js'

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
export function isTransient(kind: UploadErrorKind): boolean {
  return kind === 'bridge-down' || kind === 'timeout' || kind === 'busy' || kind === 'root-missing'
}

/** A full account (507), a refused folder (403), or content that is not
 *  what was written: no retry can help. */
export function needsTheUser(kind: UploadErrorKind): boolean {
  return kind === 'no-space' || kind === 'forbidden' || kind === 'incomplete'
}

export type RetryDecision =
  /** Not counted against the file: try again after delayMs. */
  | { action: 'retry'; counted: false; delayMs: number }
  /** Counted (attempts is the new count): try again after delayMs. */
  | { action: 'retry'; counted: true; attempts: number; delayMs: number }
  /** Stop: the upload is failed until retry() or discard(). */
  | { action: 'give-up'; attempts: number }

export interface RetryState {
  attempts: number
  transientFailures: number
}

/** What follows a failed upload of an item that had `state` failures. */
export function afterFailure(kind: UploadErrorKind, state: RetryState, maxAttempts: number, backoff: BackoffOptions): RetryDecision {
  if (isTransient(kind)) return { action: 'retry', counted: false, delayMs: retryDelayMs(state.transientFailures + 1, backoff) }
  const attempts = state.attempts + 1
  if (needsTheUser(kind) || attempts >= maxAttempts) return { action: 'give-up', attempts }
  return { action: 'retry', counted: true, attempts, delayMs: retryDelayMs(attempts, backoff) }
}
