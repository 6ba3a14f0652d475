// What the upload queue (upload-queue.ts) tells about itself: its snapshot
// for status and `mountctl uploads`, its drain and its events.
import type { UnfinishedInfo } from './unfinished.js'

export type QueuedState = 'open' | 'waiting' | 'ready'

/** A file recovered at start that a program was still writing when the
 *  daemon died (unfinished.ts). originalPath: the file it was meant to
 *  replace, left as it was; null for a new file uploaded under its name. */
export interface UnfinishedUpload {
  path: string
  originalPath: string | null
  bytes: number
  /** On the server now (under path). */
  uploaded: boolean
}

export interface QueuedUpload {
  path: string
  bytes: number
  /** Recovered unfinished at start (absent: no). */
  unfinished?: UnfinishedInfo | null
  state: QueuedState
  attempts: number
  /** When the next try is due (waiting only), ms since the epoch. */
  nextAttemptMs: number | null
  lastError: string | null
}

export interface RunningUpload {
  path: string
  bytes: number
  /** Recovered unfinished at start (absent: no). */
  unfinished?: UnfinishedInfo | null
  sentBytes: number
}

export interface FailedUpload {
  path: string
  bytes: number
  /** Recovered unfinished at start (absent: no). */
  unfinished?: UnfinishedInfo | null
  attempts: number
  lastError: string
}

export interface UploadTotals {
  queuedBytes: number
  uploadingBytes: number
  failedBytes: number
  /** Items in every state, failed included. */
  count: number
}

export interface UploadSnapshot {
  queued: QueuedUpload[]
  uploading: RunningUpload[]
  failed: FailedUpload[]
  totals: UploadTotals
  /** True while the daemon said the bridge is unavailable. */
  paused: boolean
  /** Files recovered unfinished at this start, pending or uploaded since. */
  unfinished?: UnfinishedUpload[]
}

export interface DrainOptions {
  /** Give up waiting after this long (the uploads go on). Default: no limit. */
  timeoutMs?: number
  /** Called with the totals whenever something changes. */
  onProgress?: (totals: UploadTotals) => void
}

export interface DrainResult {
  /** Nothing left queued or uploading (failed items may remain). */
  drained: boolean
  snapshot: UploadSnapshot
}

export interface UploadEvent {
  path: string
  bytes: number
}

export interface UploadQueueEvents {
  queued: [UploadEvent & { delayMs: number }]
  'upload-start': [UploadEvent]
  uploaded: [UploadEvent & { durationMs: number }]
  retry: [UploadEvent & { error: string; delayMs: number; transient: boolean; attempts: number }]
  failed: [UploadEvent & { error: string; attempts: number }]
  discarded: [UploadEvent]
  /** Any change of the snapshot (for drain and progress displays). */
  changed: []
}
