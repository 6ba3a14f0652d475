// File content kept on local disk across reads and restarts, so a file read
// again, read at random after its bytes arrived once, or pinned for offline
// use is served without the bridge (and while the bridge is down). The memory
// chunk cache stays small (downloads in flight and the latest segments); this
// holds everything fetched, up to maxBytes, in one sparse file per version of
// a remote file, indexed in the mount's database (content-index.ts).
//
// - Keys are file version keys (path, size, mtime, etag; chunk-cache.ts):
//   once a listing shows a new version, the old bytes are never found again
//   (and are dropped when the new version is stored).
// - Content is kept in whole blocks (block-ranges.ts). A block counts as
//   cached only once its write completed and the index recorded it with its
//   checksum; every read verifies the checksum of each block it returns, and
//   a block that fails is a cache miss (logged, dropped, fetched again),
//   never wrong bytes.
// - Whole files are evicted, least recently used first, never pinned ones
//   (offline folders). A file larger than half the budget is not kept unless
//   pinned (a long video read once would push out everything else); the free
//   space of the disk caps the budget at start, so the cache never takes the
//   room uploads need for staging.
// - Writes waiting for the disk are bounded by the readers, not here:
//   read-ahead waits while more than WRITE_BEHIND_MAX_BYTES are (chunk-cache.ts,
//   roomForPrefetch), and the background fill awaits each of its writes. A
//   store is never dropped for being behind, so a file read once is whole on
//   disk.
// - A stream's windows (page-aligned, window-pool.ts) are written with O_DIRECT
//   (cache-files.ts) on a local disk file system: the kernel keeps those
//   bytes already, as the mounted file's pages. Other writes (fills, small
//   reads) go through the page cache, where a reader jumping around finds
//   them again at once.

import { mkdir, readdir, statfs, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import type { Logger } from '../../log.js'
import type { ContentIndex, IndexedFile } from '../store/content-index.js'
import { BLOCK_BYTES, addRange, blockChecksums, blockLength, nextStart, rangesOfBlocks, runEnd, wholeBlocksWithin } from './block-ranges.js'
import { OpenCacheFiles, cachedFile, readChecked, type CachedFile } from './cache-files.js'

export interface DiskCacheOptions {
  folder: string
  maxBytes: number
  logger: Logger
  index: ContentIndex
  /** Page-aligned windows written with O_DIRECT where the file system takes
   *  it (default: true; always false where the system has no O_DIRECT). */
  directWrites?: boolean
}

export interface StoreOptions {
  /** Part of an offline folder: kept whatever its size, never evicted. */
  pinned?: boolean
  /** Likely read again soon (a file filled behind a reader jumping around
   *  in it): through the page cache, never with O_DIRECT. */
  pageCache?: boolean
}

export class DiskCache {
  readonly #o: DiskCacheOptions
  // File versions in use lately, loaded from the index; Map order is recency.
  readonly #loaded = new Map<string, CachedFile>()
  // Keys the index has nothing for, so a cold read does not ask it each time.
  readonly #absent = new LRUCache<string, true>({ max: 4096 })
  #maxBytes: number
  #bytes = 0
  #ready = false
  readonly #files: OpenCacheFiles
  #pendingBytes = 0
  #lastTouched = -1
  #checksumFailures = 0

  /** Removes files the index does not know (left by a crash) and caps the
   *  budget by free space; until that is done nothing new is cached. */
  readonly ready: Promise<void>

  constructor(options: DiskCacheOptions) {
    this.#o = options
    this.#maxBytes = options.maxBytes
    this.#files = new OpenCacheFiles(MAX_OPEN_FILES, options.directWrites !== false, err =>
      options.logger.info({ err, folder: options.folder }, 'the disk cache folder takes no direct writes: writing through the page cache'),
    )
    this.#bytes = options.index.stats().bytes
    this.ready = this.#init()
  }

  async #init(): Promise<void> {
    const { folder, logger, index } = this.#o
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 })
      const known = index.ids() ?? new Set<number>()
      for (const name of await readdir(folder)) {
        if (!known.has(Number(name)) || String(Number(name)) !== name) await unlink(path.join(folder, name)).catch(() => {})
      }
      const fsStats = await statfs(folder)
      if (!DIRECT_WRITE_FILE_SYSTEMS.has(Number(fsStats.type))) this.#files.stopDirect()
      const halfFree = Math.floor((Number(fsStats.bavail) * Number(fsStats.bsize)) / 2) + this.#bytes
      if (halfFree < this.#maxBytes) {
        logger.info({ folder, maxBytes: this.#maxBytes, halfFree }, 'disk cache limited to half the free disk space')
        this.#maxBytes = halfFree
      }
      this.#ready = true
      this.#evict(null)
    } catch (err) {
      logger.warn({ err, folder }, 'disk cache unusable: file content is cached in memory only')
    }
  }

  get maxBytes(): number {
    return this.#maxBytes
  }

  /** Bytes of content on disk. */
  get sizeBytes(): number {
    return this.#bytes
  }

  /** Blocks that failed their checksum since the mount started. */
  get checksumFailures(): number {
    return this.#checksumFailures
  }

  /** Whether a file of this size is kept at all (pinned files always are). */
  accepts(size: number): boolean {
    return this.#ready && size > 0 && size <= this.#maxBytes / 2
  }

  /** End of the cached run of bytes starting at position; position when
   *  the byte at position is not cached. */
  cachedEnd(key: string, position: number): number {
    const entry = this.#entry(key)
    return entry ? runEnd(entry.ranges, position) : position
  }

  /** Start of the first cached byte after position, or Infinity. */
  nextCachedStart(key: string, position: number): number {
    const entry = this.#entry(key)
    return entry ? nextStart(entry.ranges, position) : Infinity
  }

  /** Whether [start, end) is cached. */
  covers(key: string, start: number, end: number): boolean {
    return this.cachedEnd(key, start) >= end
  }

  /** Whether the file version is on disk from its first byte to its last. */
  holdsWhole(key: string, size: number): boolean {
    return size === 0 || this.covers(key, 0, size)
  }

  /** Copies the cached run at position (up to end) into buffer at
   *  bufferOffset, checking every block it touches. Returns the bytes
   *  copied: fewer than asked when a block is not cached or fails its
   *  checksum, 0 when none is there (the caller then asks the bridge). */
  async read(key: string, buffer: Buffer, bufferOffset: number, position: number, end: number): Promise<number> {
    const entry = this.#entry(key)
    if (!entry) return 0
    const stop = Math.min(runEnd(entry.ranges, position), end)
    if (stop <= position) return 0
    this.#touch(entry)
    entry.busy++
    try {
      const { copied, bad } = await readChecked(entry, await this.#handle(entry), buffer, bufferOffset, position, stop, this.#files.spans)
      if (bad && !entry.dropped) this.#damaged(entry, bad.block, bad.why)
      return entry.dropped ? 0 : copied
    } catch (err) {
      this.#o.logger.warn({ err, path: entry.path }, 'disk cache read failed; reading from the bridge')
      this.#drop(entry)
      return 0
    } finally {
      this.#settle(entry)
    }
  }

  /** The mounts went quiet: the buffers kept for reads go to the collector. */
  releaseMemory(): void {
    this.#files.spans.dropFree()
  }

  /** Keeps data, the bytes of one version of path at offset. Fire and
   *  forget: the bytes are findable once they are on disk. */
  store(key: string, filePath: string, size: number, offset: number, data: Buffer, options: StoreOptions = {}): void {
    void this.storeNow(key, filePath, size, offset, data, options)
  }

  /** Bytes handed to store() and not on disk yet. */
  get pendingBytes(): number {
    return this.#pendingBytes
  }

  /** store() that resolves once the bytes are on disk (or were not kept).
   *  Only the whole blocks in data are kept. */
  storeNow(key: string, filePath: string, size: number, offset: number, data: Buffer, options: StoreOptions = {}): Promise<void> {
    const pinned = options.pinned === true
    if (!this.#ready || size <= 0 || (!pinned && !this.accepts(size))) return Promise.resolve()
    const { start, end } = wholeBlocksWithin(offset, data.length, size)
    if (end <= start) return Promise.resolve()
    const entry = this.#entry(key) ?? this.#create(key, filePath, size, pinned)
    if (!entry) return Promise.resolve()
    if (pinned && !entry.pinned) this.#setPinned(entry, true)
    this.#touch(entry)
    if (runEnd(entry.ranges, start) >= end) return Promise.resolve()
    return this.#write(entry, start, data.subarray(start - offset, end - offset), options.pageCache)
  }

  /** Marks a file version held whole on disk as pinned or not. */
  pin(key: string, pinned: boolean): void {
    const entry = this.#entry(key)
    if (entry && entry.pinned !== pinned) this.#setPinned(entry, pinned)
  }

  /** Pinned file versions, as the index knows them. */
  pinnedFiles(): IndexedFile[] {
    return this.#o.index.pinned()
  }

  async #write(entry: CachedFile, start: number, data: Buffer, pageCache = false): Promise<void> {
    entry.busy++
    this.#pendingBytes += data.length
    try {
      await this.#files.write(entry, await this.#handle(entry), start, data, pageCache)
      if (entry.dropped) return
      const blocks = blockChecksums(data, start / BLOCK_BYTES)
      let added = 0
      for (const [block] of blocks) if (!entry.crcs.has(block)) added += blockLength(block, entry.size)
      if (!this.#o.index.addBlocks(entry.id, blocks, added)) return
      for (const [block, crc] of blocks) entry.crcs.set(block, crc)
      entry.ranges = addRange(entry.ranges, start, start + data.length)
      entry.bytes += added
      this.#bytes += added
      this.#evict(entry)
    } catch (err) {
      // Most likely a full disk: give the space back rather than compete
      // with staged uploads for it (pinned content stays).
      this.#o.logger.warn({ err, path: entry.path }, 'disk cache write failed; dropping unpinned content')
      this.#drop(entry)
      this.#dropAll(false)
    } finally {
      this.#pendingBytes -= data.length
      this.#settle(entry)
    }
  }

  /** Bytes written to disk past the page cache (O_DIRECT) since the start. */
  get directWriteBytes(): number {
    return this.#files.directBytes
  }

  /** Forget every version of path and everything below it. */
  dropPath(p: string): void {
    for (const row of this.#o.index.below(p)) this.#drop(this.#loaded.get(row.key) ?? this.#cached(row))
  }

  /** Forget one file version. */
  dropVersion(key: string): void {
    const entry = this.#entry(key)
    if (entry) this.#drop(entry)
  }

  /** Forget everything, pinned content included. */
  clear(): void {
    this.#dropAll(true)
  }

  #dropAll(pinnedToo: boolean): void {
    for (const row of this.#o.index.all()) {
      if (pinnedToo || !row.pinned) this.#drop(this.#loaded.get(row.key) ?? this.#cached(row))
    }
    this.#absent.clear()
  }

  /** Closes the cache files; what is on disk stays for the next mount. */
  async close(): Promise<void> {
    this.#ready = false
    const handles = [...this.#loaded.values()].flatMap(entry => [entry.handle, entry.direct]).filter(h => h !== null)
    this.#loaded.clear()
    await Promise.all(handles.map(h => h.then(fh => fh.close()).catch(() => {})))
  }

  #entry(key: string): CachedFile | undefined {
    const loaded = this.#loaded.get(key)
    if (loaded) return loaded
    if (this.#absent.has(key)) return undefined
    const found = this.#o.index.find(key)
    if (!found) {
      this.#absent.set(key, true)
      return undefined
    }
    const entry = this.#cached(found.file, found.blocks)
    this.#remember(entry)
    return entry
  }

  #cached(row: IndexedFile, crcs?: Map<number, number>): CachedFile {
    return cachedFile(this.#o.folder, row, crcs)
  }

  #create(key: string, filePath: string, size: number, pinned: boolean): CachedFile | undefined {
    // Another version of the same path is never read again.
    for (const row of this.#o.index.versionsOf(filePath)) if (row.key !== key) this.#drop(this.#loaded.get(row.key) ?? this.#cached(row))
    const id = this.#o.index.create(key, filePath, size, pinned)
    if (id === null) return undefined
    this.#absent.delete(key)
    const entry = this.#cached({ id, key, path: filePath, size, bytes: 0, pinned })
    this.#remember(entry)
    // Created as the most recent: the touch that follows needs no write (a
    // third of the index's time for each small file kept).
    this.#lastTouched = id
    return entry
  }

  #remember(entry: CachedFile): void {
    this.#loaded.set(entry.key, entry)
    if (this.#loaded.size <= MAX_LOADED) return
    for (const old of this.#loaded.values()) {
      if (this.#loaded.size <= MAX_LOADED) break
      if (old !== entry && old.busy === 0) {
        this.#loaded.delete(old.key)
        this.#files.close(old)
      }
    }
  }

  #touch(entry: CachedFile): void {
    this.#loaded.delete(entry.key)
    this.#loaded.set(entry.key, entry)
    // Reads of one file one after another change nothing in the order.
    if (this.#lastTouched === entry.id) return
    this.#lastTouched = entry.id
    this.#o.index.touch(entry.id)
  }

  #setPinned(entry: CachedFile, pinned: boolean): void {
    entry.pinned = pinned
    this.#o.index.setPinned(entry.id, pinned)
  }

  #damaged(entry: CachedFile, block: number, why: string): void {
    this.#checksumFailures++
    this.#o.logger.warn({ path: entry.path, offset: block * BLOCK_BYTES, why }, 'cached bytes failed their check: fetching them again from the bridge')
    if (!entry.crcs.delete(block)) return
    const length = blockLength(block, entry.size)
    this.#o.index.removeBlock(entry.id, block, length)
    entry.ranges = rangesOfBlocks(entry.crcs.keys(), entry.size)
    entry.bytes -= length
    this.#bytes -= length
  }

  #evict(keep: CachedFile | null): void {
    while (this.#bytes > this.#maxBytes) {
      let dropped = false
      for (const row of this.#o.index.victims(16)) {
        if (row.id === keep?.id) continue
        this.#drop(this.#loaded.get(row.key) ?? this.#cached(row))
        dropped = true
        if (this.#bytes <= this.#maxBytes) return
      }
      if (!dropped) return // only pinned content (and the file being written) left
    }
  }

  #handle(entry: CachedFile): Promise<FileHandle> {
    return this.#files.handle(entry, this.#loaded.values())
  }

  #drop(entry: CachedFile): void {
    if (entry.dropped) return
    entry.dropped = true
    if (this.#loaded.get(entry.key) === entry) this.#loaded.delete(entry.key)
    this.#o.index.remove(entry.id)
    this.#absent.set(entry.key, true)
    this.#bytes -= entry.bytes
    entry.bytes = 0
    entry.ranges = []
    entry.crcs.clear()
    if (entry.busy === 0) this.#remove(entry)
  }

  #settle(entry: CachedFile): void {
    entry.busy--
    if (entry.busy === 0 && entry.dropped) this.#remove(entry)
  }

  #remove(entry: CachedFile): void {
    this.#files.remove(entry)
  }
}

// Local disk file systems (statfs f_type), where a direct write costs the
// disk's time and no CPU: ext2/3/4, XFS, Btrfs, F2FS. Elsewhere the page
// cache takes the writes: on NFS or SMB a direct write waits for the server,
// and tmpfs keeps everything in memory anyway.
const DIRECT_WRITE_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0xf2f52010])

const MAX_OPEN_FILES = 64
/** File versions whose block lists stay in memory between uses. */
const MAX_LOADED = 128
/** Read-ahead waits while more than this is waiting for the disk. */
export const WRITE_BEHIND_MAX_BYTES = 16 * 1024 * 1024
