// What becomes of an item of the upload queue when its upload ends (done,
// changed meanwhile, stopped on purpose, failed for now or for good), and of
// a file whose writes failed, which is never uploaded. UploadQueue
// (upload-queue.ts) starts and stops the uploads; this decides what follows.
//
// Which failures are tried again, and when, is the retry policy's
// (upload-retry.ts); each move of the item is a transition of
// upload-lifecycle.ts.
import type { EventEmitter } from 'node:events'
import type { Time } from '../../clock.js'
import type { Logger } from '../../log.js'
import type { UploadRecords } from './upload-records.js'
import type { StagedFile, StagingStore } from './staging.js'
import { failureOf, failureText, incompleteFailure } from './upload-failure.js'
import { afterFailure, type BackoffOptions } from './upload-retry.js'
import type { AbortReason, Item, UploadItems } from './upload-items.js'
import type { UnfinishedUploads } from './unfinished-uploads.js'
import type { UploadQueueEvents } from './upload-view.js'

export interface OutcomeContext {
  records: UploadRecords
  store: StagingStore
  items: UploadItems
  time: Time
  log: Logger
  events: EventEmitter<UploadQueueEvents>
  recovered: UnfinishedUploads
  backoff: BackoffOptions
  maxAttempts: number
  closed(): boolean
  /** The wait before a closed file uploads (none while a drain waits). */
  quietDelayMs(): number
  /** Stops the item's upload, if one runs. */
  stop(item: Item, reason: AbortReason): Promise<void>
  /** UploadQueueOptions.keepUploaded. */
  keepUploaded?: (file: StagedFile, path: string) => void
}

export class UploadOutcomes {
  constructor(private readonly c: OutcomeContext) {}

  async uploaded(item: Item, path: string, generation: number, startedMs: number): Promise<void> {
    const { log, recovered } = this.c
    const file = item.file
    if (file.removed) return
    const durationMs = this.c.time.now() - startedMs
    if (file.generation === generation && file.path === path && item.writers === 0) {
      this.c.items.end(item, 'uploaded')
      // Listeners refresh their view of the server first, while the staged
      // data still answers reads, so the file never looks missing.
      log.info({ path, bytes: file.size, durationMs }, 'uploaded')
      const unfinished = recovered.uploaded(file, path)
      if (unfinished) {
        log.warn(
          { path, originalPath: unfinished.originalPath, bytes: file.size },
          unfinished.originalPath ? 'uploaded the unfinished copy beside the original, which was left as it was' : 'uploaded a new file that was unfinished when the daemon stopped',
        )
      }
      this.c.events.emit('uploaded', { path, bytes: file.size, durationMs, mtimeMs: file.mtimeMs })
      // Once the listing shows the upload, before the staged data goes (it
      // holds the descriptor open past the removal).
      this.c.keepUploaded?.(file, path)
      await this.c.store.removeFile(file, 'uploaded')
      return
    }
    // Changed (or renamed) while it was being sent: the server has an older
    // state; the newest goes up after its own last close.
    item.attempts = 0
    item.transientFailures = 0
    item.error = null
    if (item.writers > 0) this.c.items.apply(item, 'held-open')
    else this.c.items.schedule(item, this.c.quietDelayMs(), 'requeued')
  }

  async failed(item: Item, error: unknown, reason: AbortReason | null): Promise<void> {
    const { records, log, events } = this.c
    const file = item.file
    if (file.removed || this.c.closed()) return
    if (reason !== null) {
      // Stopped on purpose; whoever stopped it decides what comes next.
      this.c.items.apply(item, item.writers > 0 ? 'held-open' : 'requeued')
      return
    }
    const failure = failureOf(error)
    item.error = failure
    const event = { path: file.path, bytes: file.size, error: failureText(failure) }
    const next = afterFailure(failure.kind, item, this.c.maxAttempts, this.c.backoff)
    if (next.action === 'give-up') {
      item.attempts = next.attempts
      this.c.items.apply(item, 'gave-up')
      await records.gaveUp(file.id, item.attempts, failure)
      log.error({ ...event, attempts: item.attempts }, 'upload failed; data kept until retry or discard')
      events.emit('failed', { ...event, kind: failure.kind, attempts: item.attempts })
      return
    }
    if (!next.counted) {
      item.transientFailures++
      await records.failedForNow(file.id, failure)
      this.retryLater(item, next.delayMs)
      log.warn({ ...event, delayMs: next.delayMs }, 'upload failed for now; will retry')
      events.emit('retry', { ...event, kind: failure.kind, delayMs: next.delayMs, transient: true, attempts: item.attempts })
      return
    }
    item.attempts = next.attempts
    await records.failedForNow(file.id, failure, item.attempts)
    this.retryLater(item, next.delayMs)
    log.warn({ ...event, attempts: item.attempts, delayMs: next.delayMs }, 'upload failed; will retry')
    events.emit('retry', { ...event, kind: failure.kind, delayMs: next.delayMs, transient: false, attempts: item.attempts })
  }

  /** Closed with writes that failed (a full staging disk): the content is
   *  not what the program wrote, so it is never uploaded. It waits, failed,
   *  for the file to be written again or discarded. */
  async markIncomplete(item: Item): Promise<void> {
    const file = item.file
    if (item.upload) await this.c.stop(item, 'close')
    this.c.items.cancelTimer(item)
    this.c.items.apply(item, 'incomplete')
    item.error = incompleteFailure(file)
    this.c.log.error({ path: file.path, bytes: file.size, lostBytes: file.lostBytes }, 'writes to this file failed (staging disk full): it is not uploaded; write it again or discard it')
    this.c.events.emit('failed', { path: file.path, bytes: file.size, error: failureText(item.error), kind: item.error.kind, attempts: item.attempts })
    this.c.events.emit('changed')
    await this.c.records.incomplete(file, item.error).catch(err => this.journalFailed(file, err))
  }

  /** The journal could not record a close (its disk is full): the upload
   *  goes on from memory; a crash before it ends treats the file as
   *  unfinished, which loses nothing. */
  journalFailed(file: StagedFile, err: unknown): void {
    this.c.log.warn({ path: file.path, err }, 'could not record the close of a file in the upload journal')
  }

  private retryLater(item: Item, delayMs: number): void {
    if (item.writers > 0) this.c.items.apply(item, 'held-open')
    else this.c.items.schedule(item, delayMs, 'requeued')
  }
}
