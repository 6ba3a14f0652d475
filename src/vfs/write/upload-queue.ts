// The durable upload queue: after the LAST close of a written file and a quiet
// period (uploadDelayMs), the staged file is PUT to its final name. The staged
// data and its journal entry go only after the server answered 201.
//
// Life of an item (one per staged file with changes):
//   open      a handle has it open for writing: never uploaded in this state
//   waiting   closed; a timer runs (the coalescing delay, or a retry backoff)
//   ready     due, waiting for one of maxConcurrentUploads slots
//   uploading a PUT is running (aborted by rename, discard, close)
//   failed    stopped on 507 / 403 / too many failures: data kept until
//             retry() or discard()
// A reopen during the delay puts the item back to 'open' (the timer restarts
// at the next last close). A change during an upload is noticed through the
// file's generation: the item is then uploaded again rather than finished.
//
// Transient failures (bridge down, timeout, 503, and the root answering 404
// while MEGAcmd is logged out) are retried with backoff forever and do not
// count as failures of the file.

import { EventEmitter } from 'node:events'
import { systemTime, type Time, type TimerHandle } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { silentLogger, type Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { Journal } from './journal.js'
import type { StagedFile, StagingStore } from './staging.js'
import { describeFailure, isTransientFailure, needsTheUser, retryDelayMs } from './upload-backoff.js'
import { ensureParentFolders } from './upload-parents.js'
import { BACKGROUND, UploadItems, type AbortReason, type Item } from './upload-items.js'
import { snapshotOf, untilEmpty, type DrainOptions, type DrainResult, type QueuedState, type UploadQueueEvents, type UploadSnapshot } from './upload-view.js'

export interface UploadQueueOptions {
  remote: Remote
  store: StagingStore
  journal: Journal
  /** Quiet time after the last close before uploading (profile.uploadDelayMs). */
  uploadDelayMs: number
  /** Uploads running at once for this mount. */
  maxConcurrentUploads?: number
  /** First retry delay; doubles per failure. */
  retryInitialDelayMs?: number
  /** Cap on the retry delay. */
  retryMaxDelayMs?: number
  /** Non-transient failures before an item is marked failed. These four:
   *  absent, INTERNAL_DEFAULTS (src/config/options.ts). */
  maxAttempts?: number
  /** Quiet delays, backoff and drain timeouts. Default: systemTime. */
  time?: Time
  /** [0, 1) source for backoff jitter. Default Math.random. */
  random?: () => number
  logger?: Logger
}

export class UploadQueue extends EventEmitter<UploadQueueEvents> {
  private readonly remote: Remote
  private readonly store: StagingStore
  private readonly journal: Journal
  private readonly time: Time
  private readonly log: Logger
  private readonly uploadDelayMs: number
  private readonly maxConcurrentUploads: number
  private readonly maxAttempts: number
  private readonly backoff: { retryInitialDelayMs: number; retryMaxDelayMs: number; random: () => number }
  private readonly items: UploadItems
  private running = 0
  private paused = false
  private closed = false
  /** While a drain waits, closed files skip the coalescing delay. */
  private drainers = 0

  constructor(options: UploadQueueOptions) {
    super()
    this.remote = options.remote
    this.store = options.store
    this.journal = options.journal
    this.time = options.time ?? systemTime
    this.log = (options.logger ?? silentLogger).child({ component: 'upload-queue' })
    this.uploadDelayMs = options.uploadDelayMs
    this.maxConcurrentUploads = Math.max(1, options.maxConcurrentUploads ?? INTERNAL_DEFAULTS.maxConcurrentUploads)
    this.maxAttempts = Math.max(1, options.maxAttempts ?? INTERNAL_DEFAULTS.uploadMaxAttempts)
    this.backoff = {
      retryInitialDelayMs: options.retryInitialDelayMs ?? INTERNAL_DEFAULTS.uploadRetryInitialDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs ?? INTERNAL_DEFAULTS.uploadRetryMaxDelayMs,
      random: options.random ?? Math.random,
    }
    this.items = new UploadItems(this.time, () => this.pump(), () => this.changed())
  }

  /** Resume what the journal holds: pending entries upload at once, failed
   *  ones wait for retry() or discard(). Call once, after StagingStore.open. */
  start(): void {
    for (const file of this.store.all()) {
      if (!file.dirty || this.items.has(file)) continue
      const entry = this.journal.get(file.id)
      const item = this.items.add(file)
      item.attempts = entry?.attempts ?? 0
      item.lastError = entry?.lastError ?? null
      if (entry?.state === 'failed') {
        item.state = 'failed'
      } else {
        this.items.schedule(item, 0)
        this.emit('queued', { path: file.path, bytes: file.size, delayMs: 0 })
      }
    }
    const pending = this.items.size
    if (pending > 0) this.log.info({ count: pending }, 'resuming uploads from the journal')
    this.changed()
  }

  /** A handle opened file for writing: hold its upload until the last close. */
  openForWrite(file: StagedFile): void {
    const item = this.items.get(file) ?? this.items.add(file)
    item.writers++
    if (item.state === 'waiting' || item.state === 'ready' || item.state === 'failed') {
      // New content gets a fresh count of failures.
      if (item.state === 'failed') item.attempts = 0
      this.items.cancelTimer(item)
      item.state = 'open'
      this.changed()
    }
  }

  /** A handle that wrote (or could have) was released. At the last close a
   *  changed file is queued after uploadDelayMs; an unchanged copy is dropped. */
  async closeForWrite(file: StagedFile): Promise<void> {
    const item = this.items.get(file)
    if (!item) return
    item.writers = Math.max(0, item.writers - 1)
    if (item.writers > 0) return
    if (file.removed) {
      this.items.delete(file)
      this.changed()
      return
    }
    if (!file.dirty) {
      this.items.delete(file)
      await this.store.removeFile(file, 'discarded')
      this.changed()
      return
    }
    if (item.state === 'uploading') return // finishing it will look at the generation
    const delayMs = this.drainers > 0 ? 0 : this.uploadDelayMs
    // A closed file's data reaches the disk before its journal entry says
    // "queued", so a power loss never leaves a short file to be uploaded as
    // complete. The kernel does not wait for release: neither does close(2).
    await this.makeDurable(file)
    await this.journal.update(file.id, { state: 'queued', size: file.size })
    this.items.schedule(item, delayMs)
    this.emit('queued', { path: file.path, bytes: file.size, delayMs })
  }

  /** fsync(2): see StagingStore.makeDurable. */
  makeDurable(file: StagedFile): Promise<void> {
    return this.store.makeDurable(file)
  }

  /** rename(2) of a file: the staged content (if any) now belongs to `to`
   *  and is uploaded there; staged content of `to` is dropped (replaced).
   *  Returns false when nothing was staged at `from`, which includes an
   *  upload to `from` that completed before it could be stopped: the server
   *  then holds the content at `from` and the caller moves it there. */
  async rename(from: string, to: string): Promise<boolean> {
    if (from === to) return this.store.has(from)
    if (this.store.has(to)) await this.discard(to)
    const file = this.store.get(from)
    if (!file) return false
    const item = this.items.get(file)
    if (item?.upload) await this.stopUpload(item, 'rename')
    if (file.removed) return false
    await this.store.rename(from, to)
    if (item && (item.state === 'waiting' || item.state === 'ready')) this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs)
    this.changed()
    return true
  }

  /** rename(2) of a folder: every staged file below it moves along.
   *  Returns how many staged files moved. */
  async renameFolder(from: string, to: string): Promise<number> {
    let moved = 0
    for (const file of this.store.below(from)) {
      if (await this.rename(file.path, to + file.path.slice(from.length))) moved++
    }
    return moved
  }

  /** Drop the staged data of path and cancel its upload (unlink, or the
   *  user's discard). Returns false when nothing was staged there. */
  async discard(path: string): Promise<boolean> {
    const file = this.store.get(path)
    if (!file) return false
    const item = this.items.get(file)
    if (item?.upload) await this.stopUpload(item, 'discard')
    if (item) this.items.cancelTimer(item)
    if (file.removed) return false
    this.items.delete(file)
    const bytes = file.size
    await this.store.removeFile(file, 'discarded')
    this.log.info({ path, bytes }, 'discarded staged data')
    this.emit('discarded', { path, bytes })
    this.changed()
    return true
  }

  /** Try failed uploads (and ones waiting on a backoff) again now.
   *  path: one file; undefined: all. Returns how many were rescheduled. */
  async retry(path?: string): Promise<number> {
    let count = 0
    for (const item of this.items.values()) {
      if (path !== undefined && item.file.path !== path) continue
      const backingOff = item.state === 'waiting' && item.lastError !== null
      if (item.state !== 'failed' && !backingOff) continue
      item.attempts = 0
      item.transientFailures = 0
      await this.journal.update(item.file.id, { state: 'queued', attempts: 0 })
      this.items.schedule(item, 0)
      count++
    }
    if (count > 0) this.log.info({ path: path ?? 'all', count }, 'retrying uploads')
    return count
  }

  /** The daemon's health check found the bridge down: start no uploads. */
  pauseWhileUnavailable(): void {
    if (this.paused) return
    this.paused = true
    this.log.info('bridge unavailable: uploads paused')
    this.changed()
  }

  /** The bridge is back: uploads waiting on a transient failure go at once. */
  resume(): void {
    const wasPaused = this.paused
    this.paused = false
    for (const item of this.items.values()) {
      if (item.state === 'waiting' && item.transientFailures > 0) this.items.schedule(item, 0)
    }
    if (wasPaused) this.log.info('bridge available: uploads resumed')
    this.pump()
    this.changed()
  }

  snapshot(): UploadSnapshot {
    return snapshotOf(this.items.values(), this.items.size, this.paused)
  }

  /** Upload everything closed now (skipping the coalescing delay) and wait
   *  until nothing is queued or uploading, or timeoutMs passed. Failed items
   *  do not hold a drain up; files still open do. */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    this.drainers++
    for (const item of this.items.values()) {
      if (item.state === 'waiting' && item.lastError === null) this.items.schedule(item, 0)
    }
    try {
      return await untilEmpty(this, options, finish => (options.timeoutMs === undefined ? null : this.time.setTimeout(finish, options.timeoutMs, BACKGROUND)))
    } finally {
      this.drainers--
    }
  }

  /** Stop: cancel timers, abort running uploads. Journal entries stay, so
   *  the next start resumes them. */
  async close(): Promise<void> {
    this.closed = true
    this.items.close()
    const stopping: Promise<void>[] = []
    for (const item of this.items.values()) {
      if (item.upload) stopping.push(this.stopUpload(item, 'close'))
    }
    await Promise.all(stopping)
  }

  private pump(): void {
    while (!this.paused && !this.closed && this.running < this.maxConcurrentUploads) {
      const next = this.items.nextReady()
      if (!next) return
      this.startUpload(next)
    }
  }

  private startUpload(item: Item): void {
    const file = item.file
    const path = file.path
    const generation = file.generation
    const abort = new AbortController()
    const startedMs = this.time.now()
    item.state = 'uploading'
    this.running++
    this.log.debug({ path, bytes: file.size }, 'upload started')
    this.emit('upload-start', { path, bytes: file.size })
    const run = async () => {
      let error: unknown = null
      try {
        await ensureParentFolders(this.remote, path)
        abort.signal.throwIfAborted()
        await this.remote.put(path, file.dataFile, {
          signal: abort.signal,
          onProgress: sent => {
            if (item.upload) item.upload.sentBytes = sent
          },
        })
      } catch (err) {
        error = err
      }
      const reason = item.upload?.reason ?? null
      item.upload = null
      this.running--
      try {
        if (error === null) await this.uploaded(item, path, generation, startedMs)
        else await this.uploadFailed(item, error, reason)
      } catch (err) {
        // Only the journal can fail here (disk full, ...): keep the item queued.
        this.log.error({ path, err }, 'could not record the end of an upload')
        if (!file.removed) this.items.schedule(item, retryDelayMs(1, this.backoff))
      }
      this.pump()
      this.changed()
    }
    item.upload = { abort, reason: null, sentBytes: 0, done: Promise.resolve() }
    item.upload.done = run()
    this.changed()
  }

  private async uploaded(item: Item, path: string, generation: number, startedMs: number): Promise<void> {
    const file = item.file
    if (file.removed) return
    const durationMs = this.time.now() - startedMs
    if (file.generation === generation && file.path === path && item.writers === 0) {
      this.items.delete(file)
      // Listeners refresh their view of the server first, while the staged
      // data still answers reads, so the file never looks missing.
      this.log.info({ path, bytes: file.size, durationMs }, 'uploaded')
      this.emit('uploaded', { path, bytes: file.size, durationMs, mtimeMs: file.mtimeMs })
      await this.store.removeFile(file, 'uploaded')
      return
    }
    // Changed (or renamed) while it was being sent: the server has an older
    // state; the newest goes up after its own last close.
    item.attempts = 0
    item.transientFailures = 0
    item.lastError = null
    if (item.writers > 0) item.state = 'open'
    else this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs)
  }

  private async uploadFailed(item: Item, error: unknown, reason: AbortReason | null): Promise<void> {
    const file = item.file
    if (file.removed || this.closed) return
    if (reason !== null) {
      // Stopped on purpose; whoever stopped it decides what comes next.
      item.state = item.writers > 0 ? 'open' : 'waiting'
      return
    }
    const message = describeFailure(error)
    const transient = isTransientFailure(error)
    item.lastError = message
    const event = { path: file.path, bytes: file.size, error: message }
    if (transient) {
      item.transientFailures++
      const delayMs = retryDelayMs(item.transientFailures, this.backoff)
      await this.journal.update(file.id, { lastError: message })
      this.afterFailure(item, delayMs)
      this.log.warn({ ...event, delayMs }, 'upload failed for now; will retry')
      this.emit('retry', { ...event, delayMs, transient: true, attempts: item.attempts })
      return
    }
    item.attempts++
    if (needsTheUser(error) || item.attempts >= this.maxAttempts) {
      item.state = 'failed'
      await this.journal.update(file.id, { state: 'failed', attempts: item.attempts, lastError: message })
      this.log.error({ ...event, attempts: item.attempts }, 'upload failed; data kept until retry or discard')
      this.emit('failed', { ...event, attempts: item.attempts })
      return
    }
    const delayMs = retryDelayMs(item.attempts, this.backoff)
    await this.journal.update(file.id, { attempts: item.attempts, lastError: message })
    this.afterFailure(item, delayMs)
    this.log.warn({ ...event, attempts: item.attempts, delayMs }, 'upload failed; will retry')
    this.emit('retry', { ...event, delayMs, transient: false, attempts: item.attempts })
  }

  private afterFailure(item: Item, delayMs: number): void {
    if (item.writers > 0) item.state = 'open'
    else this.items.schedule(item, delayMs)
  }

  private async stopUpload(item: Item, reason: AbortReason): Promise<void> {
    const upload = item.upload
    if (!upload) return
    upload.reason = reason
    upload.abort.abort(new Error(`upload stopped: ${reason}`))
    await upload.done
  }

  private changed(): void {
    this.emit('changed')
  }
}
