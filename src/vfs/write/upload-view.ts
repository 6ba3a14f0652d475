// The upload queue as others see it: a snapshot of every file by state (the
// daemon's status and `mountctl uploads` are made from it), the events it
// emits, and waiting until it is empty. UploadQueue (upload-queue.ts) keeps
// the items; nothing here changes them.
export type QueuedState = 'open' | 'waiting' | 'ready'

export interface QueuedUpload {
  path: string
  bytes: number
  state: QueuedState
  attempts: number
  /** When the next try is due (waiting only), ms since the epoch. */
  nextAttemptMs: number | null
  lastError: string | null
}

export interface RunningUpload {
  path: string
  bytes: number
  sentBytes: number
}

export interface FailedUpload {
  path: string
  bytes: number
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
  retry: [UploadEvent & { error: string; delayMs: number; transient: boolean; attempts: number }]
  failed: [UploadEvent & { error: string; attempts: number }]
  discarded: [UploadEvent]
  /** Any change of the snapshot (for drain and progress displays). */
  changed: []
}

/** What a snapshot reads of an item of the queue. */
export interface ItemView {
  file: { path: string; size: number }
  state: QueuedState | 'uploading' | 'failed'
  attempts: number
  lastError: string | null
  dueMs: number | null
  upload: { sentBytes: number } | null
}

export function snapshotOf(items: Iterable<ItemView>, count: number, paused: boolean): UploadSnapshot {
  const queued: QueuedUpload[] = []
  const uploading: RunningUpload[] = []
  const failed: FailedUpload[] = []
  const totals: UploadTotals = { queuedBytes: 0, uploadingBytes: 0, failedBytes: 0, count }
  for (const item of items) {
    const { path, size: bytes } = item.file
    if (item.state === 'uploading') {
      uploading.push({ path, bytes, sentBytes: item.upload?.sentBytes ?? 0 })
      totals.uploadingBytes += bytes
    } else if (item.state === 'failed') {
      failed.push({ path, bytes, attempts: item.attempts, lastError: item.lastError ?? 'unknown error' })
      totals.failedBytes += bytes
    } else {
      queued.push({ path, bytes, state: item.state, attempts: item.attempts, nextAttemptMs: item.state === 'waiting' ? item.dueMs : null, lastError: item.lastError })
      totals.queuedBytes += bytes
    }
  }
  return { queued, uploading, failed, totals, paused }
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
