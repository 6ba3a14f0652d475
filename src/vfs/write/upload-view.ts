// The upload queue as others see it: a snapshot of every file by state (the
// daemon's status and `mountctl uploads` are made from it), the events it
// emits, and waiting until it is empty. UploadQueue (upload-queue.ts) keeps
// the items; nothing here changes them.
import type { UnfinishedInfo } from './unfinished.js'
import type { UploadErrorKind, UploadFailure } from './upload-failure.js'
import type { ItemState } from './upload-lifecycle.js'

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
  /** Why the last try failed (waiting on a retry), else null. */
  error: UploadFailure | null
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
  error: UploadFailure
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
  /** mtimeMs: the staged file's, which the server may replace with its own. */
  uploaded: [UploadEvent & { durationMs: number; mtimeMs: number }]
  /** error: the failure as people read it (upload-failure.ts, failureText). */
  retry: [UploadEvent & { error: string; kind: UploadErrorKind; delayMs: number; transient: boolean; attempts: number }]
  failed: [UploadEvent & { error: string; kind: UploadErrorKind; attempts: number }]
  discarded: [UploadEvent]
  /** Any change of the snapshot (for drain and progress displays). */
  changed: []
}

/** What a snapshot reads of an item of the queue. */
export interface ItemView {
  file: { path: string; size: number; unfinished?: UnfinishedInfo | null }
  state: ItemState
  attempts: number
  error: UploadFailure | null
  dueMs: number | null
  upload: { sentBytes: number } | null
}

export function snapshotOf(items: Iterable<ItemView>, count: number, paused: boolean, recovered: UnfinishedUpload[] = []): UploadSnapshot {
  const queued: QueuedUpload[] = []
  const uploading: RunningUpload[] = []
  const failed: FailedUpload[] = []
  const totals: UploadTotals = { queuedBytes: 0, uploadingBytes: 0, failedBytes: 0, count }
  for (const item of items) {
    const { path, size: bytes } = item.file
    const unfinished = item.file.unfinished ? { unfinished: item.file.unfinished } : {}
    if (item.state === 'uploading') {
      uploading.push({ path, bytes, ...unfinished, sentBytes: item.upload?.sentBytes ?? 0 })
      totals.uploadingBytes += bytes
    } else if (item.state === 'failed') {
      failed.push({ path, bytes, ...unfinished, attempts: item.attempts, error: item.error ?? { kind: 'local', message: 'unknown error' } })
      totals.failedBytes += bytes
    } else {
      queued.push({ path, bytes, ...unfinished, state: item.state, attempts: item.attempts, nextAttemptMs: item.state === 'waiting' ? item.dueMs : null, error: item.error })
      totals.queuedBytes += bytes
    }
  }
  return { queued, uploading, failed, totals, paused, ...(recovered.length > 0 ? { unfinished: recovered } : {}) }
}

/** What waiting for a queue needs of it (UploadQueue, or a test's fake). */
export interface WatchedQueue {
  snapshot(): UploadSnapshot
  on(event: 'changed', listener: () => void): unknown
  off(event: 'changed', listener: () => void): unknown
}

/** Resolves once nothing is queued or uploading (failed items do not count;
 *  files still open do), or when the bound set by `bound` ends the wait. */
export function untilEmpty(queue: WatchedQueue, options: DrainOptions, bound: (finish: () => void) => { cancel(): void } | null): Promise<DrainResult> {
  return new Promise(resolve => {
    const finish = (drained: boolean) => {
      queue.off('changed', check)
      timeout?.cancel()
      resolve({ drained, snapshot: queue.snapshot() })
    }
    const check = () => {
      const snap = queue.snapshot()
      options.onProgress?.(snap.totals)
      if (snap.queued.length === 0 && snap.uploading.length === 0) finish(true)
    }
    queue.on('changed', check)
    const timeout = bound(() => finish(false))
    check()
  })
}
