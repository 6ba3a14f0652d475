// The upload queue of one mount as its supervisor holds it: attached when the
// filesystem core is built, detached before it closes (the queue then stops
// and its journal keeps what is left). Between mounts it remembers what was
// left, so `status` still says so. Every read is of the queue's snapshot:
// nothing here waits on a bridge except waitUntilUploaded, which callers run
// on purpose (unmount, shutdown).
import type { Clock } from '../clock.js'
import { ControlError } from '../control/protocol.js'
import type { Logger } from '../log.js'
import { emptyUploadCounts, type UploadCounts, type UploadItem } from '../control/wire-types.js'
import { explainFailedUploads, uploadCounts, uploadItems, type UploadQueueView, type UploadSource } from './upload-status.js'

export type WaitOutcome = 'uploaded' | 'aborted' | 'timeout' | 'closed'

export interface WaitOptions {
  /** Stop waiting when aborted (the client went away); uploads go on. */
  signal?: AbortSignal
  /** Give up after this long; default: no limit. */
  timeoutMs?: number
  /** Shown in status as uploads.unmountWaiting while the wait lasts. */
  forUnmount?: boolean
}

/** How often a wait looks at abort, timeout and detach: each look is one
 *  bounded UploadQueue.drain, so no drain outlives its caller by more. */
const WAIT_SLICE_MS = 1_000

export class MountUploads {
  private queue: UploadQueueView | null = null
  private attachment = 0
  private left: UploadCounts | null = null
  private unmountWaits = 0
  private readonly logger: Logger

  constructor(
    private readonly mount: string,
    logger: Logger,
    private readonly clock: Clock,
  ) {
    this.logger = logger.child({ component: 'uploads' })
  }

  /** The filesystem core of a new mount; its queue is used once ready. */
  attach(source: UploadSource): void {
    const attachment = ++this.attachment
    source.uploads().then(
      queue => {
        if (attachment !== this.attachment) return
        this.queue = queue
        this.left = null
        queue.on('queued', this.onQueued)
      },
      err => this.logger.warn({ err: (err as Error).message }, 'upload queue unavailable: uploads of this mount cannot be shown'),
    )
  }

  /** Before the core closes: remember and log what stays in the journal. */
  detach(): void {
    this.attachment++
    const queue = this.queue
    this.queue = null
    if (!queue) return
    queue.off('queued', this.onQueued)
    const snap = queue.snapshot()
    const counts = uploadCounts(snap)
    const pending = counts.queued + counts.uploading
    if (pending + counts.failed === 0) return
    this.left = {
      ...emptyUploadCounts(),
      queued: pending,
      queuedBytes: counts.queuedBytes + counts.uploadingBytes,
      failed: counts.failed,
      failedBytes: counts.failedBytes,
      inJournal: true,
    }
    const paths = [...snap.uploading, ...snap.queued, ...snap.failed].map(u => u.path)
    this.logger.warn(
      { pending, pendingBytes: this.left.queuedBytes, failed: counts.failed, paths: paths.slice(0, 20) },
      'uploads left in the journal: they resume at the next mount (failed ones wait for mountctl retry)',
    )
  }

  /** True while a queue is attached (the mount is writable and mounted). */
  get attached(): boolean {
    return this.queue !== null
  }

  counts(): UploadCounts {
    if (!this.queue) return this.left ? { ...this.left } : emptyUploadCounts()
    return { ...uploadCounts(this.queue.snapshot()), unmountWaiting: this.unmountWaits > 0 }
  }

  items(): UploadItem[] {
    return this.queue ? uploadItems(this.mount, this.queue.snapshot()) : []
  }

  /** The failed uploads as an error with what to do, or null. */
  failure(): { message: string; hint: string } | null {
    if (this.queue) return explainFailedUploads(this.mount, this.queue.snapshot())
    if (this.left?.failed) {
      return {
        message: `${this.left.failed} failed upload${this.left.failed > 1 ? 's' : ''} kept in the journal`,
        hint: `mount it (mountctl mount ${this.mount}), then: mountctl uploads ${this.mount}; mountctl retry ${this.mount}`,
      }
    }
    return null
  }

  async retry(path?: string): Promise<number> {
    const queue = this.require('retry')
    const count = await queue.retry(path)
    if (count === 0) {
      const what = path === undefined ? 'no failed uploads' : `no failed upload at ${path}`
      throw new ControlError(`${this.mount}: ${what} to retry`, `see what is queued: mountctl uploads ${this.mount}`)
    }
    return count
  }

  /** Drops the staged copy of path: its content never reaches MEGA.
   *  dryRun: only say what would be dropped (for the confirmation). */
  async discard(path: string, options: { dryRun?: boolean } = {}): Promise<{ item: UploadItem; discarded: boolean }> {
    const queue = this.require('discard')
    const item = uploadItems(this.mount, queue.snapshot()).find(i => i.path === path)
    if (!item) throw new ControlError(`${this.mount}: no upload of ${path}`, `see the paths: mountctl uploads ${this.mount}`)
    if (options.dryRun) return { item, discarded: false }
    // The queue logs the discard itself (once, like every upload event).
    return { item, discarded: await queue.discard(path) }
  }

  /** Uploads everything closed now (skipping the quiet delay) and waits
   *  until nothing is queued or uploading (failed ones do not count). */
  async waitUntilUploaded(options: WaitOptions = {}): Promise<WaitOutcome> {
    const queue = this.queue
    if (!queue) return 'closed'
    const deadline = options.timeoutMs === undefined ? Infinity : this.clock.now() + options.timeoutMs
    if (options.forUnmount) this.unmountWaits++
    try {
      for (;;) {
        if (options.signal?.aborted) return 'aborted'
        if (this.queue !== queue) return 'closed'
        const remaining = deadline - this.clock.now()
        if (remaining <= 0) return 'timeout'
        const slice = Math.min(remaining, WAIT_SLICE_MS)
        const result = await queue.drain({ timeoutMs: slice })
        if (result.drained) return 'uploaded'
      }
    } finally {
      if (options.forUnmount) this.unmountWaits--
    }
  }

  private require(what: string): UploadQueueView {
    if (this.queue) return this.queue
    const hint = this.left ? `mount it first: mountctl mount ${this.mount} (its uploads are kept in the journal)` : `mount it first: mountctl mount ${this.mount}`
    throw new ControlError(`${this.mount} is not mounted (or read-only): no upload queue to ${what}`, hint)
  }

  private readonly onQueued = (e: { path: string; bytes: number; delayMs: number }): void => {
    this.logger.debug({ path: e.path, bytes: e.bytes, delayMs: e.delayMs }, 'upload queued')
  }
}
