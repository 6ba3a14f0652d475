// The filesystem core: what a mount shows of one bridge subtree. It answers
// metadata from folder listings (metadata-cache.ts), reads through handles
// with read-ahead (read-handle.ts) over a shared, byte-bounded chunk cache
// backed by a disk cache (disk-cache.ts), keeps listings and the disk
// cache's index in the mount's store across restarts (store/mount-store.ts),
// and hands every change to a WritePolicy (write-policy.ts). It imports no
// FUSE library: src/fuse/ adapts it to the kernel, and tests call it directly.

import { constants as fsConstants } from 'node:fs'
import path from 'node:path'
import { systemTime, type Time } from '../clock.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import type { WindowPool } from './cache/window-pool.js'
import { FsError } from '../errors.js'
import type { Logger } from '../log.js'
import type { Remote, RemoteEntry } from '../remote/remote.js'
import { entryAttr, folderAttr, processOwner, type AttrContext } from './attrs.js'
import { Semaphore } from '../remote/semaphore.js'
import { BridgeGate } from './bridge-gate.js'
import { ChunkCache, fileVersionKey } from './cache/chunk-cache.js'
import type { CoreOptions } from './core-options.js'
import { DiskCache } from './cache/disk-cache.js'
import { FileFiller } from './read/file-fill.js'
import { FolderPrefetcher } from './prefetch/folder-prefetch.js'
import { MetadataCache } from './cache/metadata-cache.js'
import { childPath, normalizePath, parentOf } from './paths.js'
import { QuotaCache } from './quota.js'
import { ReadFileHandle } from './read/read-handle.js'
import { SmallFilePrefetcher } from './prefetch/small-file-prefetch.js'
import type { Attr, DirEntries, FileHandle, FileSystem, FsChange, FsChangeListener, StatFs } from './types.js'
import { refuseWrites, type WritePolicy, type WritePolicyFactory } from './write/write-policy.js'
import { MountStore, type MountStoreStats } from './store/mount-store.js'
import { offlinePinnerFor, offlineWithoutDiskCache, type OfflinePinner, type OfflineProgress } from './offline/offline-pinner.js'

export interface MegaFsOptions {
  remote: Remote
  /** The profile's options the core uses (coreOptionsOf), and internal
   *  settings (absent: INTERNAL_DEFAULTS). */
  options: CoreOptions
  logger: Logger
  /** Drives every TTL and delay; tests inject their own. Default: systemTime. */
  time?: Time
  /** Per-mount private folder for staging (writes). */
  stateDir: string
  /** Write support. Ignored when options.readOnly (always EROFS then).
   *  Default: every write fails with EROFS. */
  writes?: WritePolicyFactory
  /** The mount's persistent store (MountStore.open), owned by the caller.
   *  Default: a store in memory, so nothing outlives the mount. */
  store?: MountStore
  /** Read-ahead windows, shared with the daemon's other mounts so that a
   *  mount made anew reuses them. Default: the mount's own. */
  windows?: WindowPool
}

export interface MegaFsStats {
  cacheEntries: number
  cacheHits: number
  cacheMisses: number
  /** 0..1 */
  hitRate: number
  /** Hidden duplicates in the latest listing of each folder seen. */
  duplicateNames: number
  /** Up to 20. */
  duplicatePaths: string[]
  /** Entries left out of listings: names or sizes that cannot be files here. */
  unusableNames: number
  /** Up to 20. */
  unusablePaths: string[]
  /** Folder listings requested ahead of the user. */
  prefetchedFolders: number
  /** Small files requested ahead of the reader. */
  prefetchedFiles: number
  /** File content held by the disk cache. */
  diskCacheBytes: number
  /** Bytes fetched into the disk cache by background fills (file-fill.ts). */
  backgroundFillBytes: number
  /** When the newest stored listing was fetched: the tree shown is as of
   *  then (null: nothing stored). */
  storedTreeAtMs: number | null
  /** Cached blocks that failed their checksum since the mount started. */
  checksumFailures: number
  /** What is wrong with the store (rebuilt at start, failed since), or null. */
  storeWarning: string | null
  /** Offline folders and how far they are on disk; null without any. */
  offline: OfflineProgress | null
}

/** Prefetch requests allowed at once; 0: no prefetch. Some of the remote's
 *  maxConcurrentRequests are never taken (userSlotsKept), so a user's
 *  request always finds one free whatever prefetch is doing. */
export function prefetchSlotsFor(options: CoreOptions): number {
  const kept = options.userSlotsKept ?? INTERNAL_DEFAULTS.userSlotsKept
  return Math.max(0, Math.min(options.prefetchConcurrentRequests, options.maxConcurrentRequests - kept))
}

const O_ACCMODE = 3
const WRITE_FLAGS = fsConstants.O_TRUNC | fsConstants.O_APPEND

export class MegaFs implements FileSystem {
  readonly #remote: Remote
  readonly #options: CoreOptions
  readonly #logger: Logger
  readonly #gate = new BridgeGate()
  readonly #metadata: MetadataCache
  readonly #chunks: ChunkCache
  readonly #quota: QuotaCache
  readonly #writes: WritePolicy
  readonly #attrCtx: AttrContext
  readonly #folderPrefetch: FolderPrefetcher | null
  readonly #filePrefetch: SmallFilePrefetcher | null
  readonly #disk: DiskCache | null
  readonly #filler: FileFiller | null
  readonly #store: MountStore
  readonly #ownsStore: boolean
  readonly #pinner: OfflinePinner | null
  readonly #offlineFolders: string[]
  readonly #watchers = new Set<FsChangeListener>()

  constructor(options: MegaFsOptions) {
    const time = options.time ?? systemTime
    const clock = time
    const opts = { ...options.options }
    this.#ownsStore = !options.store
    this.#store = options.store ?? MountStore.inMemory(path.join(options.stateDir, 'cache'), options.logger)
    this.#remote = options.remote
    this.#options = opts
    // The caller's logger names the mount.
    this.#logger = options.logger.child({ component: 'vfs' })
    this.#attrCtx = { readOnly: opts.readOnly, mountTimeMs: clock.now(), ...processOwner() }
    this.#metadata = new MetadataCache({
      remote: options.remote,
      gate: this.#gate,
      clock,
      logger: this.#logger,
      ttlMs: opts.cacheTtlMs,
      negativeTtlMs: opts.negativeCacheTtlMs,
      maxEntries: opts.cacheMaxEntries,
      store: this.#store.listings,
      time,
      storedMaxAgeMs: opts.storedListingMaxAgeDays * 86_400_000,
      onChange: change => this.#emit(change),
    })
    const readCacheMaxBytes = opts.readCacheMaxBytes ?? INTERNAL_DEFAULTS.readCacheMaxBytes
    this.#disk =
      opts.diskCacheMaxBytes > 0
        ? new DiskCache({ folder: this.#store.cacheFolder, maxBytes: opts.diskCacheMaxBytes, logger: this.#logger, index: this.#store.content })
        : null
    this.#chunks = new ChunkCache(readCacheMaxBytes, this.#disk, options.windows)
    // Prefetched data must not push out what the user is using: each kind
    // takes at most a quarter of the cache it fills.
    const slotCount = prefetchSlotsFor(opts)
    const slots = slotCount > 0 ? new Semaphore(slotCount) : null
    const foldersAhead = Math.min(opts.prefetchFoldersAhead, Math.floor(opts.cacheMaxEntries / 4))
    this.#folderPrefetch =
      slots && foldersAhead > 0
        ? new FolderPrefetcher({
            metadata: this.#metadata,
            gate: this.#gate,
            slots,
            clock,
            logger: this.#logger,
            foldersAhead,
            entriesAhead: Math.floor(opts.cacheMaxEntries / 4),
          })
        : null
    const bytesAhead = Math.min(opts.prefetchBytesAhead, Math.floor(readCacheMaxBytes / 4))
    this.#filePrefetch =
      slots && opts.prefetchFilesAhead > 0 && bytesAhead > 0
        ? new SmallFilePrefetcher({
            metadata: this.#metadata,
            chunks: this.#chunks,
            remote: options.remote,
            gate: this.#gate,
            slots,
            logger: this.#logger,
            filesAhead: opts.prefetchFilesAhead,
            bytesAhead,
          })
        : null
    this.#filler =
      slots && this.#disk ? new FileFiller({ remote: options.remote, gate: this.#gate, slots, disk: this.#disk, logger: this.#logger, windows: this.#chunks.windows }) : null
    this.#offlineFolders = opts.offline.map(normalizePath)
    this.#pinner = offlinePinnerFor(this.#offlineFolders, this.#disk, {
      metadata: this.#metadata,
      remote: options.remote,
      gate: this.#gate,
      slots: slots ?? new Semaphore(1),
      time,
      logger: this.#logger,
      rescanMs: Math.max(1000, opts.cacheTtlMs),
    })
    void this.#disk?.ready.then(() => this.#pinner?.wake())
    this.#quota = new QuotaCache({
      remote: options.remote,
      gate: this.#gate,
      time,
      logger: this.#logger,
      refreshAfterMs: opts.cacheTtlMs,
      firstWaitMs: opts.quotaFirstWaitMs ?? INTERNAL_DEFAULTS.quotaFirstWaitMs,
    })
    this.#writes =
      opts.readOnly || !options.writes
        ? refuseWrites(opts.readOnly)
        : options.writes({
            remote: options.remote,
            options: opts,
            logger: this.#logger,
            time,
            stateDir: options.stateDir,
            gate: this.#gate,
            metadata: this.#metadata,
            chunks: this.#chunks,
          })
  }

  async getattr(path: string): Promise<Attr> {
    const p = normalizePath(path)
    if (p === '/') {
      // Never a request: the root always exists while mounted, and MEGA
      // gives it no time anyway. Its listing, when cached, dates it.
      const listing = this.#metadata.peekListing('/', { stored: true })
      return folderAttr(listing?.self ?? null, listing?.newestChildMs ?? null, this.#attrCtx)
    }
    const staged = this.#writes.stagedAttr?.(p)
    if (staged) return staged
    return this.#attrOf(p, await this.#lookup(p))
  }

  async readdir(path: string): Promise<DirEntries> {
    const p = normalizePath(path)
    if (this.#metadata.knownKind(p) === 'file') throw new FsError('ENOTDIR', `${p} is a file`)
    const listing = await this.#metadata.listFolder(p)
    this.#folderPrefetch?.folderListed(listing)
    const attrs = listing.names.map(name => this.#attrOf(childPath(p, name), listing.byName.get(name)!))
    const entries = { names: [...listing.names], attrs }
    return this.#writes.overlayListing?.(p, entries) ?? entries
  }

  async open(path: string, flags: number): Promise<FileHandle> {
    const p = normalizePath(path)
    if ((flags & O_ACCMODE) !== fsConstants.O_RDONLY || (flags & WRITE_FLAGS) !== 0) {
      return this.#writes.openForWrite(p, flags)
    }
    if (p === '/') throw new FsError('EISDIR', '/ is a folder')
    const staged = this.#writes.openStaged?.(p, flags)
    if (staged) return staged
    await this.#metadata.confirm(parentOf(p))
    const entry = await this.#lookup(p)
    if (entry.isDir) throw new FsError('EISDIR', `${p} is a folder`)
    // A few milliseconds, once per mount: what the first reader fetches is cached too.
    await this.#disk?.ready
    return new ReadFileHandle({
      path: p,
      entry,
      attr: this.#attrOf(p, entry),
      remote: this.#remote,
      gate: this.#gate,
      chunks: this.#chunks,
      logger: this.#logger,
      readAheadMaxBytes: this.#options.readAheadMaxBytes,
      onSmallFileRead: this.#filePrefetch ? () => this.#filePrefetch?.fileRead(p) : undefined,
      onRandomAccess: this.#filler ? position => this.#filler!.start(fileVersionKey(p, entry), p, entry.size, position) : undefined,
    })
  }

  create(path: string, mode: number): Promise<FileHandle> {
    return this.#writes.create(normalizePath(path), mode)
  }
  truncate(path: string, size: number): Promise<void> {
    return this.#writes.truncate(normalizePath(path), size)
  }
  unlink(path: string): Promise<void> {
    return this.#writes.unlink(normalizePath(path))
  }
  mkdir(path: string, mode: number): Promise<void> {
    return this.#writes.mkdir(normalizePath(path), mode)
  }
  rmdir(path: string): Promise<void> {
    return this.#writes.rmdir(normalizePath(path))
  }
  rename(from: string, to: string): Promise<void> {
    return this.#writes.rename(normalizePath(from), normalizePath(to))
  }
  chmod(path: string, mode: number): Promise<void> {
    return this.#writes.chmod(normalizePath(path), mode)
  }
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.#writes.chown(normalizePath(path), uid, gid)
  }
  utimens(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    return this.#writes.utimens(normalizePath(path), atimeMs, mtimeMs)
  }

  statfs(_path: string): Promise<StatFs> {
    return this.#quota.statfs()
  }

  stats(): MegaFsStats {
    const s = this.#metadata.stats()
    const lookups = s.cacheHits + s.cacheMisses
    return {
      ...s,
      hitRate: lookups === 0 ? 0 : s.cacheHits / lookups,
      prefetchedFolders: this.#folderPrefetch?.stats().prefetched ?? 0,
      prefetchedFiles: this.#filePrefetch?.stats().prefetched ?? 0,
      diskCacheBytes: this.#disk?.sizeBytes ?? 0,
      backgroundFillBytes: this.#filler?.filledBytes ?? 0,
      checksumFailures: this.#disk?.checksumFailures ?? 0,
      storeWarning: this.#store.warning,
      offline: this.#pinner?.progress() ?? offlineWithoutDiskCache(this.#offlineFolders),
    }
  }

  /** What the mount's store holds (`mountctl cache`). */
  storeStats(): MountStoreStats {
    return this.#store.stats()
  }

  /** Empty the store and every cache of the mount, while mounted
   *  (`mountctl cache clear`): what is shown next is listed and fetched
   *  again. Reads in progress finish from the bridge. */
  clearStore(): void {
    this.#folderPrefetch?.clear()
    this.#filePrefetch?.invalidate()
    this.#metadata.clear()
    this.#chunks.clear()
    this.#pinner?.wake()
    this.#emit({ kind: 'refreshed', path: null })
  }

  /** The mounts went quiet: ChunkCache.releaseMemory. */
  releaseMemory(): void {
    this.#chunks.releaseMemory()
  }

  watch(listener: FsChangeListener): () => void {
    this.#watchers.add(listener)
    return () => this.#watchers.delete(listener)
  }

  #emit(change: FsChange): void {
    for (const listener of this.#watchers) listener(change)
  }

  /** Drop cached metadata and content for path and below (all when omitted),
   *  e.g. after `mountctl refresh`. */
  invalidate(path?: string): void {
    this.#folderPrefetch?.clear()
    if (path === undefined) {
      this.#metadata.invalidate()
      this.#filePrefetch?.invalidate()
      this.#chunks.clear()
      this.#emit({ kind: 'refreshed', path: null })
    } else {
      const p = normalizePath(path)
      this.#metadata.invalidate(p)
      this.#filePrefetch?.invalidate(p)
      this.#chunks.dropPath(p)
      this.#emit({ kind: 'refreshed', path: p })
    }
    this.#pinner?.wake()
  }

  /** Set by the daemon's health check. While false, anything that needs the
   *  bridge fails at once with EHOSTDOWN and cached metadata is served at
   *  any age. */
  setBridgeAvailable(available: boolean): void {
    if (available !== this.#gate.available) {
      this.#logger.info({ available }, available ? 'bridge is back' : 'bridge is down: serving cached metadata only')
    }
    const back = available && !this.#gate.available
    this.#gate.setAvailable(available)
    if (!available) this.#folderPrefetch?.clear()
    if (back) this.#pinner?.wake()
    this.#writes.setBridgeAvailable?.(available)
  }

  async close(): Promise<void> {
    await this.#pinner?.close()
    await this.#writes.close()
    this.#metadata.flushStored()
    this.#chunks.close()
    await this.#disk?.close()
    if (this.#ownsStore) this.#store.close()
  }

  async #lookup(p: string): Promise<RemoteEntry> {
    const entry = await this.#metadata.lookup(p)
    if (!entry) throw new FsError('ENOENT', `${p}: no such file or folder`)
    return entry
  }

  #attrOf(p: string, entry: RemoteEntry): Attr {
    const newest = entry.isDir ? (this.#metadata.peekListing(p)?.newestChildMs ?? null) : null
    return entryAttr(entry, newest, this.#attrCtx)
  }
}
