// The durable upload queue: after the LAST close of a written file and a quiet
// period (uploadDelayMs), the staged file is PUT to its final name. The staged
// data and its journal entry go only after the server answered 201. An item's states are described in upload-items.ts;
// what follows the end of an upload (retries, failures) in upload-outcome.ts.

import { EventEmitter } from 'node:events'
import { systemTime, waitAtMost, type Time } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { silentLogger, type Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { Journal } from './journal.js'
import type { StagedFile, StagingStore } from './staging.js'
import { isSameOrBelow } from '../paths.js'
import { incompleteError, retryDelayMs } from './upload-backoff.js'
import { ensureParentFolders } from './upload-parents.js'
import { BACKGROUND, UploadItems, type AbortReason, type Item } from './upload-items.js'
import { UnfinishedUploads } from './unfinished-uploads.js'
import { UploadOutcomes } from './upload-outcome.js'
import { snapshotOf, untilEmpty, type DrainOptions, type DrainResult, type UploadQueueEvents, type UploadSnapshot } from './upload-view.js'

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
  /** A rename or delete waits this long for a sent upload's answer (stopUpload). */
  answerGraceMs?: number
  /** Longest a due upload waits for a running copy to end (upload-items.ts). */
  busyMaxHoldMs?: number
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
    this.journal = options.journal
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
    const { journal, store, items, time, log, recovered, backoff } = this
    this.outcomes = new UploadOutcomes({
      ...{ journal, store, items, time, log, recovered, backoff },
      maxAttempts: Math.max(1, options.maxAttempts ?? INTERNAL_DEFAULTS.uploadMaxAttempts),
      events: this,
      closed: () => this.closed,
      quietDelayMs: () => (this.drainers > 0 ? 0 : this.uploadDelayMs),
      stop: (item, reason) => this.stopUpload(item, reason),
    })
  }

  /** Resume what the journal holds: pending entries upload at once, failed
   *  ones wait for retry() or discard(). Call once, after StagingStore.open. */
  start(): void {
    for (const file of this.store.all()) {
      if (!file.dirty || this.items.has(file)) continue
      const entry = this.journal.get(file.id)
      const item = this.items.add(file)
      this.recovered.add(file)
      item.attempts = entry?.attempts ?? 0
      item.lastError = entry?.lastError ?? null
      if (entry?.state === 'failed' || file.incomplete) {
        item.state = 'failed'
        item.lastError ??= incompleteError(file)
      } else {
        this.items.schedule(item, 0)
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
        item.lastError = null
      }
      this.items.cancelTimer(item)
      item.state = 'open'
      this.changed()
    }
  }

  /** A handle that wrote (or could have) was released. At the last close a
   *  changed file is queued after uploadDelayMs; an unchanged copy is dropped. */
  async closeForWrite(file: StagedFile): Promise<void> {
    const item = this.items.closed(file)
    if (!item || item.writers > 0) return
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
    await this.journal.update(file.id, { state: 'queued', size: file.size, lost: [] }).catch(err => this.outcomes.journalFailed(file, err))
    if (item.state === 'uploading') return // finishing it will look at the generation
    // Asked only now: a drain may have started during the awaits above
    // (`close(fd)` returns before release, so a drain right after it does).
    const delayMs = this.drainers > 0 ? 0 : this.uploadDelayMs
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
    if (item && (item.state === 'waiting' || item.state === 'ready')) this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs)
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
        if (this.items.get(item.file) === item && item.state === 'waiting' && item.timer === null) this.items.schedule(item, this.drainers > 0 ? 0 : this.uploadDelayMs)
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
      // Its content is not what was written: only a rewrite or discard helps.
      if (item.file.incomplete) continue
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
    return snapshotOf(this.items.values(), this.items.size, this.paused, this.recovered.list())
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
        if (error === null) await this.outcomes.uploaded(item, path, generation, startedMs)
        else await this.outcomes.failed(item, error, reason)
      } catch (err) {
        // Only the journal can fail here (disk full, ...): keep the item queued.
        this.log.error({ path, err }, 'could not record the end of an upload')
        if (!file.removed) this.items.schedule(item, retryDelayMs(1, this.backoff))
      }
      this.pump()
      this.changed()
    }
    item.upload = { abort, reason: null, bytes: file.size, sentBytes: 0, done: Promise.resolve() }
    item.upload.done = run()
    this.changed()
  }

  private async stopUpload(item: Item, reason: AbortReason): Promise<void> {
    const upload = item.upload
    if (!upload) return
    // Its whole body is sent: the server may be storing it right now, and
    // stopping it would leave unknown whether it lands (the emulator, like a
    // bridge that answers after storing, puts it in place anyway, after the
    // rename or delete that stopped it looked). A small file's answer is a
    // moment away: it is awaited for a while first.
    if (reason !== 'close' && upload.sentBytes >= upload.bytes) {
      let answered = false
      await waitAtMost(upload.done.then(() => (answered = true)), this.answerGraceMs, this.time)
      if (answered) return
    }
    upload.reason = reason
    upload.abort.abort(new Error(`upload stopped: ${reason}`))
    await upload.done
  }

  private changed(): void {
    this.emit('changed')
  }
}
