// The write policy of a writable mount: every change goes to a staged file on
// local disk first (staging.ts), is journaled (upload-records.ts), and reaches the
// server through the upload queue (upload-queue.ts); deletes go to the trash
// (trash.ts) unless the profile says permanent. Folders are made, moved and
// removed on the server at once (they hold no data to lose).
//
// Read-your-writes: MegaFs asks stagedAttr / overlayListing / openStaged
// before its own caches, so staged content and sizes show at once.

import { constants as fsConstants } from 'node:fs'
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { RemoteError, type Remote, type RemoteEntry } from '../../remote/remote.js'
import { fileAttr, processOwner, type AttrContext } from '../attrs.js'
import { baseName, isSameOrBelow, parentOf } from '../paths.js'
import { checkFileEnd } from '../limits.js'
import { toFsError } from '../remote-errors.js'
import { StagingStore, type StagedFile } from './staging.js'
import { Trash, TRASH_FOLDER_NAME, TRASH_ROOT } from '../trash/trash.js'
import { scheduleTrashPurge, type TrashPurgeTask } from '../trash/trash-schedule.js'
import type { Cron } from '../../cron.js'
import type { Attr, DirEntries, FileHandle } from '../types.js'
import { UploadQueue } from './upload-queue.js'
import { UploadRecords } from './upload-records.js'
import { UploadedCopies, stagedEntry } from './uploaded-copies.js'
import { liveWriteHandle, WriteFileHandle } from './write-handle.js'
import type { WriteContext, WritePolicy, WritePolicyFactory } from './write-policy.js'

export interface StagedWritesOptions {
  /** Absent: INTERNAL_DEFAULTS (src/config/options.ts), like the two below. */
  maxConcurrentUploads?: number
  retryInitialDelayMs?: number
  retryMaxDelayMs?: number
  /** When to purge trash older than trashRetentionDays (cron expression,
   *  local time); null: never. Default: INTERNAL_DEFAULTS.trashPurgeCron. */
  trashPurgeCron?: string | null
  /** Runs that schedule. Default: systemCron (src/cron.ts). */
  cron?: Cron
  /** Told about the instance once MegaFs built it (the daemon keeps it to
   *  answer `mountctl uploads`, retry, discard and to drain at unmount). */
  onCreated?: (writes: StagedWrites) => void
}

/** The factory to pass as MegaFsOptions.writes. */
export function stagedWrites(options: StagedWritesOptions = {}): WritePolicyFactory {
  return context => {
    const writes = new StagedWrites(context, options)
    options.onCreated?.(writes)
    return writes
  }
}

interface Parts {
  records: UploadRecords
  store: StagingStore
  queue: UploadQueue
  copies: UploadedCopies | null
}

export class StagedWrites implements WritePolicy {
  readonly #ctx: WriteContext
  readonly #remote: Remote
  readonly #options: WriteContext['options']
  readonly #log: Logger
  readonly #trash: Trash
  readonly #attrCtx: AttrContext
  readonly ready: Promise<void>
  #parts: Parts | null = null
  #purgeTask: TrashPurgeTask | null = null

  constructor(context: WriteContext, options: StagedWritesOptions = {}) {
    this.#ctx = context
    this.#remote = context.remote
    this.#options = context.options
    this.#log = context.logger.child({ component: 'writes' })
    this.#trash = new Trash(context.remote, { clock: context.time, logger: context.logger })
    this.#attrCtx = { readOnly: false, mountTimeMs: context.time.now(), ...processOwner() }
    const cron = options.trashPurgeCron === undefined ? INTERNAL_DEFAULTS.trashPurgeCron : options.trashPurgeCron
    if (cron !== null && this.#options.deleteMode === 'trash') this.#purgeTask = scheduleTrashPurge(this, cron, context.logger, options.cron)
    this.ready = this.#open(options)
    // A failure here shows on every write (EIO with the reason); keep it
    // from being an unhandled rejection meanwhile.
    this.ready.catch(err => this.#log.error({ err, stateDir: context.stateDir }, 'cannot open the staging folder: writes will fail'))
  }

  async #open(options: StagedWritesOptions): Promise<void> {
    const { time, stateDir } = this.#ctx
    const records = await UploadRecords.open(stateDir, { clock: time })
    const store = await StagingStore.open(stateDir, { remote: this.#remote, records, clock: time, logger: this.#ctx.logger })
    const { maxConcurrentUploads, retryInitialDelayMs, retryMaxDelayMs } = options
    const disk = this.#ctx.chunks.disk
    const copies = disk ? new UploadedCopies(disk, this.#ctx.metadata, this.#log) : null
    const queue = new UploadQueue({
      remote: this.#remote, store, records, time, logger: this.#ctx.logger, uploadDelayMs: this.#options.uploadDelayMs,
      maxConcurrentUploads, retryInitialDelayMs, retryMaxDelayMs,
      keepUploaded: copies ? (file, p) => copies.keep(file, p) : undefined,
    })
    // The file is on the server now, as it was staged: it joins the cached
    // listing (the server's own time replaces ours at the next listing), and
    // its bytes the disk cache under that version (uploaded-copies.ts).
    queue.on('uploaded', e => this.#onServerNow(e.path, stagedEntry(e.path, e.bytes, e.mtimeMs)))
    this.#parts = { records, store, queue, copies }
    queue.start()
  }

  /** The upload queue (snapshot, retry, discard, drain, pause/resume). */
  async uploads(): Promise<UploadQueue> {
    return (await this.#get()).queue
  }

  /** Delete trash folders older than trashRetentionDays. */
  purgeTrash(nowMs?: number): Promise<string[]> {
    return this.#trash.purge({ retentionDays: this.#options.trashRetentionDays, nowMs })
  }

  /** The health check's verdict: hold uploads while the bridge is down,
   *  send what waits as soon as it is back. */
  setBridgeAvailable(available: boolean): void {
    const queue = this.#parts?.queue
    if (!queue) return
    if (available) queue.resume()
    else queue.pauseWhileUnavailable()
  }

  // --- read-your-writes hooks ------------------------------------------

  stagedAttr(p: string): Attr | null {
    const file = this.#parts?.store.get(p)
    return file ? this.#attrOf(file) : null
  }

  overlayListing(p: string, listing: DirEntries): DirEntries {
    const names = [...listing.names]
    const attrs = [...listing.attrs]
    if (p === '/') {
      const i = names.indexOf(TRASH_FOLDER_NAME)
      if (i >= 0) {
        names.splice(i, 1)
        attrs.splice(i, 1)
      }
    }
    for (const file of this.#parts?.store.childrenOf(p) ?? []) {
      const name = baseName(file.path)
      const i = names.indexOf(name)
      if (i >= 0) attrs[i] = this.#attrOf(file)
      else {
        names.push(name)
        attrs.push(this.#attrOf(file))
      }
    }
    return { names, attrs }
  }

  openStaged(p: string, flags: number): FileHandle | null {
    const parts = this.#parts
    const file = parts?.store.get(p)
    if (!parts || !file) return null
    // A reader does not hold the upload back: only writers do.
    return new WriteFileHandle({ file, queue: parts.queue, flags, attrOf: f => this.#attrOf(f), writable: false })
  }

  // --- WritePolicy -------------------------------------------------------

  async create(p: string, _mode: number): Promise<FileHandle> {
    const { store, queue } = await this.#get()
    await this.#requireFolder(parentOf(p), `create ${p}`)
    // Known from the cache only (no request): a create that raced a listing.
    const existedOnServer = this.#ctx.metadata.knownKind(p) === 'file'
    return liveWriteHandle(`create ${p}`, () => this.#local(`create ${p}`, () => store.create(p, existedOnServer)), { queue, flags: fsConstants.O_RDWR, attrOf: f => this.#attrOf(f) })
  }

  async openForWrite(p: string, flags: number): Promise<FileHandle> {
    const { queue } = await this.#get()
    return liveWriteHandle(`open ${p}`, () => this.#stage(p, (flags & fsConstants.O_TRUNC) !== 0, `open ${p}`), { queue, flags, attrOf: f => this.#attrOf(f) })
  }

  async truncate(p: string, size: number): Promise<void> {
    if (!Number.isInteger(size) || size < 0) throw new FsError('EINVAL', `truncate ${p}: bad size ${size}`)
    checkFileEnd(size, `truncate ${p}`)
    const { queue } = await this.#get()
    const handle = await liveWriteHandle(`truncate ${p}`, () => this.#stage(p, size === 0, `truncate ${p}`), { queue, flags: fsConstants.O_WRONLY, attrOf: f => this.#attrOf(f) })
    try {
      await handle.truncate(size)
    } finally {
      await handle.release()
    }
  }

  async unlink(p: string): Promise<void> {
    const { queue } = await this.#get()
    const hadStaged = await queue.discard(p)
    const entry = await this.#lookupOrNull(p, hadStaged)
    if (entry?.isDir) throw new FsError('EISDIR', `unlink ${p}: is a folder (use rmdir)`)
    if (entry) {
      await this.#onServer(`delete ${p}`, () => this.#trash.remove(p, { deleteMode: this.#options.deleteMode, isDir: false }), true)
      this.#onServerNow(p, null)
      this.#ctx.metadata.forget(TRASH_ROOT)
    } else if (!hadStaged) {
      throw new FsError('ENOENT', `unlink ${p}: no such file`)
    }
  }

  async mkdir(p: string, _mode: number): Promise<void> {
    await this.#get()
    if (this.#parts!.store.has(p)) throw new FsError('EEXIST', `mkdir ${p}: a file of that name exists`)
    await this.#onServer(`mkdir ${p}`, () => this.#remote.mkdir(p))
    const now = this.#ctx.time.now()
    this.#onServerNow(p, { name: baseName(p), isDir: true, size: 0, mtimeMs: now, ctimeMs: now, etag: null }, { emptyFolder: true })
  }

  async rmdir(p: string): Promise<void> {
    const { store } = await this.#get()
    if (p === '/') throw new FsError('EPERM', 'rmdir /: the mount root cannot be removed')
    if (store.has(p)) throw new FsError('ENOTDIR', `rmdir ${p}: is a file`)
    if (store.below(p).length > 0) throw new FsError('ENOTEMPTY', `rmdir ${p}: holds files not uploaded yet`)
    // A fresh listing: the server's DELETE is recursive, so an entry another
    // client added must stop us, not vanish with the folder.
    this.#ctx.metadata.invalidate(p)
    let listing
    try {
      listing = await this.#ctx.metadata.listFolder(p)
    } catch (err) {
      throw toFsError(err, { what: `rmdir ${p}`, logger: this.#log })
    }
    if (!listing.self.isDir) throw new FsError('ENOTDIR', `rmdir ${p}: is a file`)
    if (listing.names.length > 0) throw new FsError('ENOTEMPTY', `rmdir ${p}: not empty`)
    await this.#onServer(`rmdir ${p}`, () => this.#trash.remove(p, { deleteMode: this.#options.deleteMode, isDir: true }), true)
    this.#onServerNow(p, null)
    this.#ctx.metadata.forget(TRASH_ROOT)
  }

  async rename(from: string, to: string): Promise<void> {
    const { queue } = await this.#get()
    if (from === to) return
    if (from === '/' || isSameOrBelow(to, from)) throw new FsError('EINVAL', `rename ${from} -> ${to}: into itself`)
    // No upload at either end while the server and the staged files move.
    const hold = await queue.hold([from, to])
    try {
      await this.#rename(from, to, hold.stopped.some(p => isSameOrBelow(p, from)))
    } finally {
      hold.release()
    }
  }

  /** stoppedUpload: an upload at or below `from` was stopped midway, so the
   *  server may have it at `from` whatever the cache says. */
  async #rename(from: string, to: string, stoppedUpload: boolean): Promise<void> {
    const { store, queue } = await this.#get()
    const staged = store.has(from)
    const fromEntry = staged ? null : await this.#lookupOrNull(from, false)
    if (!staged && !fromEntry) throw new FsError('ENOENT', `rename ${from}: no such file or folder`)
    const toEntry = store.has(to) ? null : await this.#lookupOrNull(to, false)
    if (fromEntry?.isDir) {
      if (store.has(to)) throw new FsError('ENOTDIR', `rename ${from} -> ${to}: target is a file`)
      if (toEntry && !toEntry.isDir) throw new FsError('ENOTDIR', `rename ${from} -> ${to}: target is a file`)
      if (toEntry?.isDir) {
        const listing = await this.#ctx.metadata.listFolder(to).catch(err => {
          throw toFsError(err, { what: `rename ${from} -> ${to}`, logger: this.#log })
        })
        if (listing.names.length > 0 || store.below(to).length > 0) throw new FsError('ENOTEMPTY', `rename ${from} -> ${to}: target folder not empty`)
      }
      await this.#onServer(`rename ${from} -> ${to}`, () => this.#remote.move(from, to, { overwrite: true }))
      await queue.renameFolder(from, to)
      this.#onServerNow(from, null)
      this.#onServerNow(to, { ...fromEntry, name: baseName(to) })
      return
    }
    if (toEntry?.isDir) throw new FsError('EISDIR', `rename ${from} -> ${to}: target is a folder`)
    await this.#requireFolder(parentOf(to), `rename ${from} -> ${to}`)
    const stagedMoved = await queue.rename(from, to, toEntry !== null)
    // The server's copy moves too: an older version under the staged one,
    // or the content when an upload finished while we were renaming.
    const onServer = await this.#lookupOrNull(from, !stagedMoved || stoppedUpload)
    if (onServer) {
      await this.#onServer(`rename ${from} -> ${to}`, () => this.#remote.move(from, to, { overwrite: true }))
      this.#onServerNow(from, null)
      this.#onServerNow(to, { ...onServer, name: baseName(to) })
    } else if (!stagedMoved) {
      throw new FsError('ENOENT', `rename ${from}: no such file`)
    }
    // A file only staged (rsync's temporary name, an editor's save) moved
    // on local disk alone: the server and its cached listings are unchanged.
  }

  async chmod(p: string): Promise<void> {
    await this.#exists(p, 'chmod')
  }

  async chown(p: string): Promise<void> {
    await this.#exists(p, 'chown')
  }

  /** MEGA sets a file's time at upload and cannot store another: a staged
   *  file shows the time asked for until it is uploaded. */
  async utimens(p: string, _atimeMs: number, mtimeMs: number): Promise<void> {
    const file = (await this.#get()).store.get(p)
    if (file) file.mtimeMs = mtimeMs
    else await this.#exists(p, 'utimens')
  }

  /** Stop uploading; everything pending stays journaled for the next start. */
  async close(): Promise<void> {
    this.#purgeTask?.stop()
    this.#purgeTask = null
    const parts = await this.ready.then(() => this.#parts).catch(() => null)
    if (!parts) return
    await parts.queue.close()
    await parts.copies?.idle()
    await parts.store.close()
    await parts.records.close()
  }

  // --- helpers -----------------------------------------------------------

  async #get(): Promise<Parts> {
    try {
      await this.ready
    } catch (err) {
      throw new FsError('EIO', `staging folder ${path.join(this.#ctx.stateDir, 'staging')} unusable: ${(err as Error).message}`, { cause: err })
    }
    return this.#parts!
  }

  /** The staged copy of an existing file for writing (O_TRUNC: empty). */
  async #stage(p: string, truncate: boolean, what: string): Promise<StagedFile> {
    const { store } = await this.#get()
    if (store.has(p)) return this.#local(what, () => store.stageForWrite(p, { truncate, remoteSize: null }))
    const entry = await this.#lookupOrNull(p, false)
    if (!entry) throw new FsError('ENOENT', `${what}: no such file`)
    if (entry.isDir) throw new FsError('EISDIR', `${what}: is a folder`)
    return this.#local(what, () => store.stageForWrite(p, { truncate, remoteSize: entry.size }))
  }

  async #requireFolder(folder: string, what: string): Promise<void> {
    if (folder === '/') return
    if (this.#parts?.store.has(folder)) throw new FsError('ENOTDIR', `${what}: ${folder} is a file`)
    // Known from a cached listing at any age: enough to write into it, also
    // while the bridge is down (the upload waits for it).
    if (this.#ctx.metadata.knownKind(folder) === 'dir') return
    const entry = await this.#lookupOrNull(folder, false)
    if (!entry) throw new FsError('ENOENT', `${what}: folder ${folder} does not exist`)
    if (!entry.isDir) throw new FsError('ENOTDIR', `${what}: ${folder} is a file`)
  }

  async #exists(p: string, what: string): Promise<void> {
    if (p === '/' || this.#parts?.store.has(p)) return
    if (!(await this.#lookupOrNull(p, false))) throw new FsError('ENOENT', `${what} ${p}: no such file or folder`)
  }

  /** The server's entry for p from the metadata cache (refreshed first when
   *  fresh is set), null when there is none. */
  async #lookupOrNull(p: string, fresh: boolean): Promise<RemoteEntry | null> {
    if (fresh) this.#ctx.metadata.invalidate(p)
    try {
      return await this.#ctx.metadata.lookup(p)
    } catch (err) {
      if (err instanceof FsError && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return null
      throw toFsError(err, { what: `look up ${p}`, logger: this.#log })
    }
  }

  /** A change on the server; 'not-found' is fine when tolerated (someone else
   *  deleted it first). */
  async #onServer<T>(what: string, run: () => Promise<T>, notFoundIsDone = false): Promise<T | null> {
    this.#ctx.gate.check(what)
    try {
      return await run()
    } catch (err) {
      if (notFoundIsDone && err instanceof RemoteError && err.kind === 'not-found') return null
      throw toFsError(err, { what, logger: this.#log, conflictCode: 'ENOENT' })
    }
  }

  /** Local disk failures (full disk, ...) as FsError. */
  async #local<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      if (err instanceof FsError) throw err
      if (err instanceof RemoteError) throw toFsError(err, { what, logger: this.#log })
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOSPC') throw new FsError('ENOSPC', `${what}: the local disk holding the staging folder is full`, { cause: err })
      this.#log.error({ err, what }, 'staging failed')
      throw new FsError('EIO', `${what}: ${(err as Error).message}`, { cause: err })
    }
  }

  /** A change this mount made on the server: the cached listing follows it
   *  (metadata-cache.ts applyChange), content cached for the path goes. */
  #onServerNow(p: string, entry: RemoteEntry | null, options?: { emptyFolder?: boolean }): void {
    this.#ctx.metadata.applyChange(p, entry, options)
    this.#ctx.chunks.dropPath(p)
  }

  #attrOf(file: StagedFile): Attr {
    return fileAttr(stagedEntry(file.path, file.size, file.mtimeMs), this.#attrCtx)
  }
}
