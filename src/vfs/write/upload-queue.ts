// The durable upload queue: after the LAST close of a written file and a quiet
// period (uploadDelayMs), the staged file is PUT to its final name. The staged
// data and its journal entry go only after the server answered 201. An item's
// states and their transitions are upload-lifecycle.ts; what follows the end
// of an upload in upload-outcome.ts, by the retry policy of upload-retry.ts.

import { EventEmitter } from 'node:events'
import { systemTime, type Time } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { silentLogger, type Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { UploadRecords } from './upload-records.js'
import type { StagedFile, StagingStore } from './staging.js'
import { isSameOrBelow } from '../paths.js'
import { incompleteFailure } from './upload-failure.js'
import { retryDelayMs } from './upload-retry.js'
import { sendFile, stopUpload } from './upload-transfer.js'
import { BACKGROUND, UploadItems, type AbortReason, type Item } from './upload-items.js'
import { UnfinishedUploads } from './unfinished-uploads.js'
import { UploadOutcomes } from './upload-outcome.js'
import { snapshotOf, untilEmpty, type DrainOptions, type DrainResult, type UploadQueueEvents, type UploadSnapshot } from './upload-view.js'

export interface UploadQueueOptions {
  remote: Remote
  store: StagingStore
  /** The journal's records (the same the store writes through). */
  records: UploadRecords
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
  /** A rename or delete waits this long for a sent upload's answer (stopUpload). */
  answerGraceMs?: number
  /** Longest a due upload waits for a running copy to end (upload-items.ts). */
  busyMaxHoldMs?: number
  /** Quiet delays, backoff and drain timeouts. Default: systemTime. */
  time?: Time
  /** [0, 1) source for backoff jitter. Default Math.random. */
  random?: () => number
  logger?: Logger
  /** Told of each uploaded file just before its staged data goes, to keep
   *  its bytes (uploaded-copies.ts); never awaited. */
  keepUploaded?: (file: StagedFile, path: string) => void
}

export class UploadQueue extends EventEmitter<UploadQueueEvents> {
  private readonly remote: Remote
  private readonly store: StagingStore
  private readonly records: UploadRecords
  private readonly time: Time
  private readonly log: Logger
  private readonly uploadDelayMs: number
  private readonly maxConcurrentUploads: number
  private readonly answerGraceMs: number
  private readonly backoff: { retryInitialDelayMs: number; retryMaxDelayMs: number; random: () => number }
  private readonly items: UploadItems
  /** Unfinished files recovered at start, for status until the next start. */
  private readonly recovered = new UnfinishedUploads()
  private readonly outcomes: UploadOutcomes
  private running = 0
  private paused = false
  private closed = false
  /** While a drain waits, closed files skip the coalescing delay. */
  private drainers = 0

  constructor(options: UploadQueueOptions) {
    super()
    this.remote = options.remote
    this.store = options.store
    this.records = options.records
    this.time = options.time ?? systemTime
    this.log = (options.logger ?? silentLogger).child({ component: 'upload-queue' })
    this.uploadDelayMs = options.uploadDelayMs
    this.maxConcurrentUploads = Math.max(1, options.maxConcurrentUploads ?? INTERNAL_DEFAULTS.maxConcurrentUploads)
    this.answerGraceMs = options.answerGraceMs ?? INTERNAL_DEFAULTS.uploadAnswerGraceMs
    this.backoff = {
      retryInitialDelayMs: options.retryInitialDelayMs ?? INTERNAL_DEFAULTS.uploadRetryInitialDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs ?? INTERNAL_DEFAULTS.uploadRetryMaxDelayMs,
      random: options.random ?? Math.random,
    }
    const busy = { quietMs: this.uploadDelayMs, maxHoldMs: options.busyMaxHoldMs ?? INTERNAL_DEFAULTS.uploadBusyMaxHoldMs }
    this.items = new UploadItems(this.time, () => this.pump(), () => this.changed(), busy)
    const { records, store, items, time, log, recovered, backoff } = this
    this.outcomes = new UploadOutcomes({
      ...{ records, store, items, time, log, recovered, backoff },
      maxAttempts: Math.max(1, options.maxAttempts ?? INTERNAL_DEFAULTS.uploadMaxAttempts),
      events: this,
      closed: () => this.closed,
      quietDelayMs: () => (this.drainers > 0 ? 0 : this.uploadDelayMs),
      stop: (item, reason) => this.stopUpload(item, reason),
      keepUploaded: options.keepUploaded,
    })
  }

  /** Resume what the journal holds: pending entries upload at once, failed
   *  ones wait for retry() or discard(). Call once, after StagingStore.open. */
  start(): void {
    for (const file of this.store.all()) {
      if (!file.dirty || this.items.has(file)) continue
      const entry = this.records.get(file.id)
      const failed = entry?.state === 'failed' || file.incomplete
      const item = this.items.add(file, failed ? 'recovered-failed' : 'recovered')
      this.recovered.add(file)
      item.attempts = entry?.attempts ?? 0
      // Only a file whose writes failed is incomplete; a failed entry without
      // its reason (an older version compacted it) shows as unknown.
      item.error = entry?.error ?? (file.incomplete ? incompleteFailure(file) : null)
      if (!failed) {
        this.items.hurry(item)
        this.emit('queued', { path: file.path, bytes: file.size, delayMs: 0 })
      }
    }
    const pending = this.items.size
    if (pending > 0) this.log.info({ count: pending, unfinished: this.recovered.size }, 'resuming uploads from the journal')
    this.changed()
  }

  /** A handle opened file for writing: hold its upload until the last close. */
  openForWrite(file: StagedFile): void {
    const item = this.items.opened(file)
    if (item.state === 'waiting' || item.state === 'ready' || item.state === 'failed') {
      // New content gets a fresh count of failures.
      if (item.state === 'failed') {
        item.attempts = 0
        item.error = null
      }
      this.items.cancelTimer(item)
      this.items.apply(item, 'opened')
      this.changed()
    }
  }

  /** A handle that wrote (or could have) was released. At the last close a
   *  changed file is queued after uploadDelayMs; an unchanged copy is dropped. */
  async closeForWrite(file: StagedFile): Promise<void> {
    const item = this.items.closed(file)
    if (!item || item.writers > 0) return
    if (file.removed) {
      this.items.end(item, 'discarded')
      this.changed()
      return
    }
    if (!file.dirty) {
      this.items.end(item, 'discarded')
      await this.store.removeFile(file, 'discarded')
      this.changed()
      return
    }
    // Closed: a crash from here on uploads it as it is. Cleared before the
    // record is written, so a change meanwhile records 'dirty' after it.
    file.openInJournal = false
    if (file.incomplete) {
      await this.outcomes.markIncomplete(item)
      return
    }
    // A closed file's data reaches the disk before its journal entry says
    // "queued", so a power loss never leaves a short file to be uploaded as
    // complete. The kernel does not wait for release: neither does close(2).
    await this.makeDurable(file)
    await this.records.closed(file).catch(err => this.outcomes.journalFailed(file, err))
    if (item.state === 'uploading') return // finishing it will look at the generation
    // Asked only now: a drain may have started during the awaits above
    // (`close(fd)` returns before release, so a drain right after it does).
    const delayMs = this.drainers > 0 ? 0 : this.uploadDelayMs
    this.items.schedule(item, delayMs, 'closed')
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
   *  then holds the content at `from` and the caller moves it there.
   *  targetOnServer: `to` exists on the server (the content replaces it). */
  async rename(from: string, to: string, targetOnServer = false): Promise<boolean> {
    if (from === to) return this.store.has(from)
    if (this.store.has(to)) await this.discard(to)
    const file = this.store.get(from)
    if (!file) return false
    const item = this.items.get(file)
    if (item?.upload) await this.stopUpload(item, 'rename')
    if (file.removed) return false
    await this.store.rename(from, to, targetOnServer)
    if (item && (item.state === 'waiting' || item.state === 'ready')) this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs, 'rescheduled')
    this.changed()
    return true
  }

  /** For a rename on the server: stops the uploads at and below these paths
   *  and starts none there until release(). One running or starting while
   *  its folder moves on the server would land at the old path and make the
   *  old folder again ('mv src moved' left src/y.txt behind). One finished
   *  before it was stopped is carried along by the MOVE; one stopped after
   *  its body was sent may still land: the caller looks at the server
   *  afresh for the `stopped` paths. */
  async hold(paths: string[]): Promise<{ release: () => void; stopped: string[] }> {
    this.items.hold(paths)
    const stopped = [...this.items.values()].filter(item => item.upload && paths.some(p => isSameOrBelow(item.file.path, p)))
    let released = false
    const release = () => {
      if (released) return
      released = true
      this.items.unhold(paths)
      // A stopped upload the rename did not reschedule (it failed) goes again.
      for (const item of stopped) {
        if (this.items.get(item.file) === item && item.state === 'waiting' && item.timer === null) this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs, 'rescheduled')
      }
      this.pump()
    }
    try {
      await Promise.all(stopped.map(item => this.stopUpload(item, 'rename')))
    } catch (err) {
      release()
      throw err
    }
    return { release, stopped: stopped.map(item => item.file.path) }
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
    if (item) this.items.end(item, 'discarded')
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
      const backingOff = item.state === 'waiting' && item.error !== null
      if (item.state !== 'failed' && !backingOff) continue
      // Its content is not what was written: only a rewrite or discard helps.
      if (item.file.incomplete) continue
      item.attempts = 0
      item.transientFailures = 0
      await this.records.retried(item.file.id)
      this.items.schedule(item, 0, 'retried')
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
      if (item.state === 'waiting' && item.transientFailures > 0) this.items.hurry(item)
    }
    if (wasPaused) this.log.info('bridge available: uploads resumed')
    this.pump()
    this.changed()
  }

  snapshot(): UploadSnapshot {
    return snapshotOf(this.items.values(), this.items.size, this.paused, this.recovered.list())
  }

  /** Upload everything closed now (skipping the coalescing delay) and wait
   *  until nothing is queued or uploading, or timeoutMs passed. Failed items
   *  do not hold a drain up; files still open do. */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    this.drainers++
    for (const item of this.items.values()) {
      if (item.state === 'waiting' && item.error === null) this.items.hurry(item)
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
      const next = this.items.nextReady(this.drainers > 0)
      if (!next) return
      if (next.file.incomplete) {
        void this.outcomes.markIncomplete(next)
        continue
      }
      this.startUpload(next)
    }
  }

  private startUpload(item: Item): void {
    const file = item.file
    const path = file.path
    const generation = file.generation
    const startedMs = this.time.now()
    this.items.apply(item, 'started')
    this.running++
    this.log.debug({ path, bytes: file.size }, 'upload started')
    this.emit('upload-start', { path, bytes: file.size })
    sendFile(this.remote, item, path, async (error, reason) => {
      this.running--
      try {
        if (error === null) await this.outcomes.uploaded(item, path, generation, startedMs)
        else await this.outcomes.failed(item, error, reason)
      } catch (err) {
        // Only the journal can fail here (disk full, ...): keep the item queued.
        this.log.error({ path, err }, 'could not record the end of an upload')
        if (!file.removed && (item.state === 'uploading' || item.state === 'failed')) this.items.schedule(item, retryDelayMs(1, this.backoff), 'unrecorded')
      }
      this.pump()
      this.changed()
    })
    this.changed()
  }

  private stopUpload(item: Item, reason: AbortReason): Promise<void> {
    return stopUpload(item, reason, this.answerGraceMs, this.time)
  }

  private changed(): void {
    this.emit('changed')
  }
}
