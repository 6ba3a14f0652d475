// What becomes of an item of the upload queue when its upload ends (done,
// changed meanwhile, stopped on purpose, failed for now or for good), and of
// a file whose writes failed, which is never uploaded. UploadQueue
// (upload-queue.ts) starts and stops the uploads; this decides what follows.
//
// Transient failures (bridge down, timeout, 503, and the root answering 404
// while MEGAcmd is logged out) are retried with backoff forever and do not
// count as failures of the file.
import type { EventEmitter } from 'node:events'
import type { Time } from '../../clock.js'
import type { Logger } from '../../log.js'
import type { Journal } from './journal.js'
import type { StagedFile, StagingStore } from './staging.js'
import { describeFailure, incompleteError, isTransientFailure, needsTheUser, retryDelayMs, type BackoffOptions } from './upload-backoff.js'
import type { AbortReason, Item, UploadItems } from './upload-items.js'
import type { UnfinishedUploads } from './unfinished-uploads.js'
import type { UploadQueueEvents } from './upload-view.js'

export interface OutcomeContext {
  journal: Journal
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
}

export class UploadOutcomes {
  constructor(private readonly c: OutcomeContext) {}

  async uploaded(item: Item, path: string, generation: number, startedMs: number): Promise<void> {
    const { log, recovered } = this.c
    const file = item.file
    if (file.removed) return
    const durationMs = this.c.time.now() - startedMs
    if (file.generation === generation && file.path === path && item.writers === 0) {
      this.c.items.delete(file)
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
      await this.c.store.removeFile(file, 'uploaded')
      return
    }
    // Changed (or renamed) while it was being sent: the server has an older
    // state; the newest goes up after its own last close.
    item.attempts = 0
    item.transientFailures = 0
    item.lastError = null
    if (item.writers > 0) item.state = 'open'
    else this.c.items.schedule(item, this.c.quietDelayMs())
  }

  async failed(item: Item, error: unknown, reason: AbortReason | null): Promise<void> {
    const { journal, log, events } = this.c
    const file = item.file
    if (file.removed || this.c.closed()) return
    if (reason !== null) {
      // Stopped on purpose; whoever stopped it decides what comes next.
      item.state = item.writers > 0 ? 'open' : 'waiting'
      return
    }
    const message = describeFailure(error)
    item.lastError = message
    const event = { path: file.path, bytes: file.size, error: message }
    if (isTransientFailure(error)) {
      item.transientFailures++
      const delayMs = retryDelayMs(item.transientFailures, this.c.backoff)
      await journal.update(file.id, { lastError: message })
      this.afterFailure(item, delayMs)
      log.warn({ ...event, delayMs }, 'upload failed for now; will retry')
      events.emit('retry', { ...event, delayMs, transient: true, attempts: item.attempts })
      return
    }
    item.attempts++
    if (needsTheUser(error) || item.attempts >= this.c.maxAttempts) {
      item.state = 'failed'
      await journal.update(file.id, { state: 'failed', attempts: item.attempts, lastError: message })
      log.error({ ...event, attempts: item.attempts }, 'upload failed; data kept until retry or discard')
      events.emit('failed', { ...event, attempts: item.attempts })
      return
    }
    const delayMs = retryDelayMs(item.attempts, this.c.backoff)
    await journal.update(file.id, { attempts: item.attempts, lastError: message })
    this.afterFailure(item, delayMs)
    log.warn({ ...event, attempts: item.attempts, delayMs }, 'upload failed; will retry')
    events.emit('retry', { ...event, delayMs, transient: false, attempts: item.attempts })
  }

  /** Closed with writes that failed (a full staging disk): the content is
   *  not what the program wrote, so it is never uploaded. It waits, failed,
   *  for the file to be written again or discarded. */
  async markIncomplete(item: Item): Promise<void> {
    const file = item.file
    if (item.upload) await this.c.stop(item, 'close')
    this.c.items.cancelTimer(item)
    item.state = 'failed'
    item.lastError = incompleteError(file)
    this.c.log.error({ path: file.path, bytes: file.size, lostBytes: file.lostBytes }, 'writes to this file failed (staging disk full): it is not uploaded; write it again or discard it')
    this.c.events.emit('failed', { path: file.path, bytes: file.size, error: item.lastError, attempts: item.attempts })
    this.c.events.emit('changed')
    await this.c.journal.update(file.id, { state: 'failed', size: file.size, lastError: item.lastError, lost: file.lost }).catch(err => this.journalFailed(file, err))
  }

  /** The journal could not record a close (its disk is full): the upload
   *  goes on from memory; a crash before it ends treats the file as
   *  unfinished, which loses nothing. */
  journalFailed(file: StagedFile, err: unknown): void {
    this.c.log.warn({ path: file.path, err }, 'could not record the close of a file in the upload journal')
  }

  private afterFailure(item: Item, delayMs: number): void {
    if (item.writers > 0) item.state = 'open'
    else this.c.items.schedule(item, delayMs)
  }
}
