// A fake of UploadQueue (src/vfs/write/upload-queue.ts) for the daemon, control and
// mountctl tests: items are set by the test, drain's timeout runs on the
// test's ManualTime (tap reports this file as "no tests found").
import { EventEmitter } from 'node:events'
import type { Time } from '../../src/clock.js'
import type { UploadQueueView } from '../../src/daemon/upload-status.js'
import { untilEmpty, type DrainOptions, type DrainResult, type QueuedState, type UploadQueueEvents, type UploadSnapshot } from '../../src/vfs/write/upload-view.js'
import type { UploadFailure } from '../../src/vfs/write/upload-failure.js'

export interface FakeItem {
  path: string
  bytes: number
  state: QueuedState | 'uploading' | 'failed'
  sentBytes?: number
  attempts?: number
  error?: UploadFailure | null
  nextAttemptMs?: number | null
  /** Recovered unfinished at start: the original it must not replace. */
  unfinished?: { originalPath: string | null }
}

export class FakeUploadQueue extends EventEmitter<UploadQueueEvents> implements UploadQueueView {
  items: FakeItem[] = []
  paused = false
  drains = 0
  retried: (string | undefined)[] = []
  discarded: string[] = []
  /** Unfinished files already uploaded (the snapshot adds the pending ones). */
  uploadedUnfinished: { path: string; originalPath: string | null; bytes: number }[] = []

  constructor(private readonly time: Time) {
    super()
  }

  set(items: FakeItem[]): void {
    this.items = items
    this.emit('changed')
  }

  /** Everything queued or uploading reaches the server. */
  finishAll(): void {
    this.set(this.items.filter(i => i.state === 'failed'))
  }

  snapshot(): UploadSnapshot {
    const snap: UploadSnapshot = { queued: [], uploading: [], failed: [], totals: { queuedBytes: 0, uploadingBytes: 0, failedBytes: 0, count: this.items.length }, paused: this.paused }
    const unfinished = this.uploadedUnfinished.map(u => ({ ...u, uploaded: true }))
    for (const i of this.items) {
      const u = i.unfinished ? { unfinished: { originalPath: i.unfinished.originalPath, lastWriteMs: 0 } } : {}
      if (i.unfinished) unfinished.push({ path: i.path, originalPath: i.unfinished.originalPath, bytes: i.bytes, uploaded: false })
      if (i.state === 'uploading') {
        snap.uploading.push({ path: i.path, bytes: i.bytes, ...u, sentBytes: i.sentBytes ?? 0 })
        snap.totals.uploadingBytes += i.bytes
      } else if (i.state === 'failed') {
        snap.failed.push({ path: i.path, bytes: i.bytes, ...u, attempts: i.attempts ?? 1, error: i.error ?? { kind: 'other', status: 500, message: 'boom' } })
        snap.totals.failedBytes += i.bytes
      } else {
        snap.queued.push({ path: i.path, bytes: i.bytes, ...u, state: i.state, attempts: i.attempts ?? 0, nextAttemptMs: i.nextAttemptMs ?? null, error: i.error ?? null })
        snap.totals.queuedBytes += i.bytes
      }
    }
    if (unfinished.length > 0) snap.unfinished = unfinished
    return snap
  }

  drain(options: DrainOptions = {}): Promise<DrainResult> {
    this.drains++
    // the drain bound runs on the injected (manual) time, never in real time
    return untilEmpty(this, options, finish => (options.timeoutMs === undefined ? null : this.time.setTimeout(finish, options.timeoutMs)))
  }

  async retry(path?: string): Promise<number> {
    this.retried.push(path)
    let n = 0
    for (const i of this.items) {
      if (i.state === 'failed' && (path === undefined || i.path === path)) {
        i.state = 'ready'
        i.attempts = 0
        n++
      }
    }
    this.emit('changed')
    return n
  }

  async discard(path: string): Promise<boolean> {
    const before = this.items.length
    this.items = this.items.filter(i => i.path !== path)
    if (this.items.length === before) return false
    this.discarded.push(path)
    this.emit('changed')
    return true
  }
}
