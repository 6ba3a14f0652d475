// What the daemon shows of a mount's upload queue: the counts in `status`,
// one row per file in `mountctl uploads`, and the failed uploads turned into
// an error with what to do. Built from UploadQueue.snapshot() only, so it
// never waits on a bridge.
import type { DrainOptions, DrainResult, UploadQueueEvents, UploadSnapshot } from '../vfs/write/upload-view.js'
import { failureText, type UploadFailure } from '../vfs/write/upload-failure.js'
import type { UploadCounts, UploadItem } from '../control/wire-types.js'

/** The part of UploadQueue (src/vfs/write/upload-queue.ts) the daemon uses; tests
 *  pass a fake. */
export interface UploadQueueView {
  snapshot(): UploadSnapshot
  drain(options?: DrainOptions): Promise<DrainResult>
  retry(path?: string): Promise<number>
  discard(path: string): Promise<boolean>
  on<K extends keyof UploadQueueEvents>(event: K, listener: (...args: UploadQueueEvents[K]) => void): unknown
  off<K extends keyof UploadQueueEvents>(event: K, listener: (...args: UploadQueueEvents[K]) => void): unknown
}

/** What a writable filesystem core hands the daemon (StagedWrites does). */
export interface UploadSource {
  uploads(): Promise<UploadQueueView>
}

export function uploadCounts(snap: UploadSnapshot): UploadCounts {
  return {
    queued: snap.queued.length,
    queuedBytes: snap.totals.queuedBytes,
    uploading: snap.uploading.length,
    uploadingBytes: snap.totals.uploadingBytes,
    sentBytes: snap.uploading.reduce((sum, u) => sum + u.sentBytes, 0),
    failed: snap.failed.length,
    failedBytes: snap.totals.failedBytes,
    paused: snap.paused,
    unmountWaiting: false,
    inJournal: false,
    ...(snap.unfinished?.length ? { unfinished: snap.unfinished.map(u => ({ ...u })) } : {}),
  }
}

function unfinishedOf(u: { unfinished?: { originalPath: string | null } | null }): { unfinished?: { originalPath: string | null } } {
  return u.unfinished ? { unfinished: { originalPath: u.unfinished.originalPath } } : {}
}

function errorOf(f: UploadFailure | null): Pick<UploadItem, 'lastError' | 'errorKind'> {
  return f ? { lastError: failureText(f), errorKind: f.kind } : { lastError: null, errorKind: null }
}

export function uploadItems(mount: string, snap: UploadSnapshot): UploadItem[] {
  const items: UploadItem[] = []
  for (const u of snap.uploading) {
    items.push({ mount, path: u.path, state: 'uploading', detail: null, bytes: u.bytes, sentBytes: u.sentBytes, attempts: 0, ...errorOf(null), nextAttemptAt: null, ...unfinishedOf(u) })
  }
  for (const q of snap.queued) {
    items.push({
      mount,
      path: q.path,
      state: 'queued',
      detail: q.state,
      bytes: q.bytes,
      sentBytes: 0,
      attempts: q.attempts,
      ...errorOf(q.error),
      nextAttemptAt: q.nextAttemptMs === null ? null : new Date(q.nextAttemptMs).toISOString(),
      ...unfinishedOf(q),
    })
  }
  for (const f of snap.failed) {
    items.push({ mount, path: f.path, state: 'failed', detail: null, bytes: f.bytes, sentBytes: 0, attempts: f.attempts, ...errorOf(f.error), nextAttemptAt: null, ...unfinishedOf(f) })
  }
  return items
}

/** The failed uploads of a mount as its last error, with what to do. */
export function explainFailedUploads(mount: string, snap: UploadSnapshot): { message: string; hint: string } | null {
  const first = snap.failed[0]
  if (!first) return null
  const more = snap.failed.length > 1 ? ` (and ${snap.failed.length - 1} more)` : ''
  const message = `upload of ${first.path} failed${more}: ${failureText(first.error)}`
  const see = `see them: mountctl uploads ${mount}`
  const giveUp = `or drop one: mountctl discard ${mount} PATH`
  switch (first.error.kind) {
    case 'no-space':
      return { message, hint: `the MEGA account is full: free space (mega-df shows usage), then: mountctl retry ${mount}; ${see}; ${giveUp}` }
    case 'incomplete':
      return { message, hint: `free space on the disk that holds the daemon's state folder, then write the file again (copy it once more), or drop it: mountctl discard ${mount} ${first.path}; ${see}` }
    case 'forbidden':
      return { message, hint: `MEGA refused access to that folder: check it in MEGA's app, then: mountctl retry ${mount}; ${see}; ${giveUp}` }
    default:
      return { message, hint: `try again: mountctl retry ${mount}; ${see}; ${giveUp}` }
  }
}
