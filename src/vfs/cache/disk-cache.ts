// File content kept on local disk for as long as the mount is mounted, so a
// file read again, or read at random after its bytes arrived once, is served
// without the bridge (and while the bridge is down). The memory chunk cache
// stays small (it holds downloads in flight and the latest segments); this
// holds everything fetched, up to maxBytes, in one sparse file per version
// of a remote file.
//
// - Keys are file version keys (path, size, mtime, etag; chunk-cache.ts):
//   once a listing shows a new version, the old bytes are never found again.
// - A byte range counts as cached only after its write to disk completed, so
//   a read never sees bytes that are not there.
// - The folder is emptied when the mount starts: the index lives in memory,
//   and a crash must not leave ranges a later mount would trust.
// - Whole files are evicted, least recently used first. A file larger than
//   half the budget is not kept (a long video read once would push out
//   everything else); the free space of the disk caps the budget at start,
//   so the cache never takes the room uploads need for staging.
// - Writes waiting for the disk are bounded by the readers, not here: read-ahead
//   waits while more than WRITE_BEHIND_MAX_BYTES are (chunk-cache.ts,
//   roomForPrefetch), and the background fill awaits each of its writes. A
//   store is never dropped for being behind, so a file read once is whole on
//   disk.

import { mkdir, open, rm, statfs, unlink, type FileHandle } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../../log.js'
import { isSameOrBelow } from '../paths.js'

interface CachedFile {
  key: string
  /** Mount path of the file, for dropPath. */
  path: string
  file: string
  size: number
  /** Sorted, merged, disjoint [start, end) pairs, flat. */
  ranges: number[]
  bytes: number
  handle: Promise<FileHandle> | null
  /** Reads and writes in progress on handle. */
  busy: number
  dropped: boolean
}

export interface DiskCacheOptions {
  folder: string
  maxBytes: number
  logger: Logger
}

export class DiskCache {
  readonly #o: DiskCacheOptions
  // Map order is recency: a used entry is moved to the end.
  readonly #files = new Map<string, CachedFile>()
  #maxBytes: number
  #bytes = 0
  #nextId = 1
  #ready = false
  #openHandles = 0
  #pendingBytes = 0

  /** Empties the folder and caps the budget by free space; until that is
   *  done, nothing is cached (reads go to the bridge as without a cache). */
  readonly ready: Promise<void>

  constructor(options: DiskCacheOptions) {
    this.#o = options
    this.#maxBytes = options.maxBytes
    this.ready = this.#init()
  }

  async #init(): Promise<void> {
    const { folder, logger } = this.#o
    try {
      await rm(folder, { recursive: true, force: true })
      await mkdir(folder, { recursive: true, mode: 0o700 })
      const fsStats = await statfs(folder)
      const halfFree = Math.floor((Number(fsStats.bavail) * Number(fsStats.bsize)) / 2)
      if (halfFree < this.#maxBytes) {
        logger.info({ folder, maxBytes: this.#maxBytes, halfFree }, 'disk cache limited to half the free disk space')
        this.#maxBytes = halfFree
      }
      this.#ready = true
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

  /** Whether a file of this size is kept at all. */
  accepts(size: number): boolean {
    return this.#ready && size > 0 && size <= this.#maxBytes / 2
  }

  /** End of the cached run of bytes starting at position; position when
   *  the byte at position is not cached. */
  cachedEnd(key: string, position: number): number {
    const entry = this.#files.get(key)
    if (!entry) return position
    const r = entry.ranges
    for (let i = 0; i < r.length; i += 2) {
      if (position < r[i]!) break
      if (position < r[i + 1]!) return r[i + 1]!
    }
    return position
  }

  /** Start of the first cached byte after position, or Infinity. */
  nextCachedStart(key: string, position: number): number {
    const r = this.#files.get(key)?.ranges ?? []
    for (let i = 0; i < r.length; i += 2) if (r[i]! > position) return r[i]!
    return Infinity
  }

  /** Whether [start, end) is cached. */
  covers(key: string, start: number, end: number): boolean {
    return this.cachedEnd(key, start) >= end
  }

  /** Copies the cached run at position (up to end) into buffer at
   *  bufferOffset. Returns the bytes copied: 0 when position is not cached
   *  or the cache file could not be read (the caller then asks the bridge). */
  async read(key: string, buffer: Buffer, bufferOffset: number, position: number, end: number): Promise<number> {
    const entry = this.#files.get(key)
    if (!entry) return 0
    const runEnd = Math.min(this.cachedEnd(key, position), end)
    if (runEnd <= position) return 0
    this.#touch(entry)
    entry.busy++
    try {
      const handle = await this.#handle(entry)
      let done = 0
      while (position + done < runEnd) {
        const { bytesRead } = await handle.read(buffer, bufferOffset + done, runEnd - position - done, position + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return done
    } catch (err) {
      this.#o.logger.warn({ err, path: entry.path }, 'disk cache read failed; reading from the bridge')
      this.#drop(entry)
      return 0
    } finally {
      this.#settle(entry)
    }
  }

  /** Keeps data, the bytes of one version of path at offset. Fire and
   *  forget: the range is findable once it is on disk. */
  store(key: string, filePath: string, size: number, offset: number, data: Buffer): void {
    void this.storeNow(key, filePath, size, offset, data)
  }

  /** Bytes handed to store() and not on disk yet. */
  get pendingBytes(): number {
    return this.#pendingBytes
  }

  /** store() that resolves once the bytes are on disk (or were not kept). */
  storeNow(key: string, filePath: string, size: number, offset: number, data: Buffer): Promise<void> {
    if (!this.accepts(size) || data.length === 0) return Promise.resolve()
    let entry = this.#files.get(key)
    if (entry && this.covers(key, offset, offset + data.length)) return Promise.resolve()
    if (!entry) {
      entry = {
        key,
        path: filePath,
        file: path.join(this.#o.folder, String(this.#nextId++)),
        size,
        ranges: [],
        bytes: 0,
        handle: null,
        busy: 0,
        dropped: false,
      }
      this.#files.set(key, entry)
    }
    this.#touch(entry)
    return this.#write(entry, offset, data)
  }

  async #write(entry: CachedFile, offset: number, data: Buffer): Promise<void> {
    entry.busy++
    this.#pendingBytes += data.length
    try {
      const handle = await this.#handle(entry)
      let done = 0
      while (done < data.length) {
        const { bytesWritten } = await handle.write(data, done, data.length - done, offset + done)
        done += bytesWritten
      }
      if (entry.dropped) return
      const before = entry.bytes
      this.#addRange(entry, offset, offset + data.length)
      this.#bytes += entry.bytes - before
      this.#evict(entry)
    } catch (err) {
      // Most likely a full disk: give the space back rather than compete
      // with staged uploads for it.
      this.#o.logger.warn({ err, path: entry.path }, 'disk cache write failed; emptying the cache')
      this.clear()
    } finally {
      this.#pendingBytes -= data.length
      this.#settle(entry)
    }
  }

  /** Forget every version of path and everything below it. */
  dropPath(p: string): void {
    for (const entry of [...this.#files.values()]) if (isSameOrBelow(entry.path, p)) this.#drop(entry)
  }

  clear(): void {
    for (const entry of [...this.#files.values()]) this.#drop(entry)
  }

  /** Closes files and removes the folder (the mount is going away). */
  async close(): Promise<void> {
    this.#ready = false
    this.clear()
    await rm(this.#o.folder, { recursive: true, force: true }).catch(() => {})
  }

  #touch(entry: CachedFile): void {
    this.#files.delete(entry.key)
    this.#files.set(entry.key, entry)
  }

  #addRange(entry: CachedFile, start: number, end: number): void {
    const merged: number[] = []
    let s = start
    let e = end
    const r = entry.ranges
    let i = 0
    for (; i < r.length && r[i + 1]! < s; i += 2) merged.push(r[i]!, r[i + 1]!)
    for (; i < r.length && r[i]! <= e; i += 2) {
      s = Math.min(s, r[i]!)
      e = Math.max(e, r[i + 1]!)
    }
    merged.push(s, e)
    for (; i < r.length; i += 2) merged.push(r[i]!, r[i + 1]!)
    entry.ranges = merged
    let bytes = 0
    for (let j = 0; j < merged.length; j += 2) bytes += merged[j + 1]! - merged[j]!
    entry.bytes = bytes
  }

  #evict(keep: CachedFile): void {
    for (const entry of this.#files.values()) {
      if (this.#bytes <= this.#maxBytes) return
      if (entry !== keep) this.#drop(entry)
    }
  }

  // At most this many cache files stay open; the least recently used entry
  // with nothing in progress is closed first.
  #handle(entry: CachedFile): Promise<FileHandle> {
    if (!entry.handle) {
      entry.handle = open(entry.file, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600)
      this.#openHandles++
      if (this.#openHandles > MAX_OPEN_FILES) this.#closeIdle(entry)
    }
    return entry.handle
  }

  #closeIdle(except: CachedFile): void {
    for (const entry of this.#files.values()) {
      if (this.#openHandles <= MAX_OPEN_FILES) return
      if (entry !== except && entry.handle && entry.busy === 0) this.#closeHandle(entry)
    }
  }

  #closeHandle(entry: CachedFile): void {
    const handle = entry.handle
    if (!handle) return
    entry.handle = null
    this.#openHandles--
    void handle.then(h => h.close()).catch(() => {})
  }

  #drop(entry: CachedFile): void {
    if (entry.dropped) return
    entry.dropped = true
    if (this.#files.get(entry.key) === entry) this.#files.delete(entry.key)
    this.#bytes -= entry.bytes
    entry.bytes = 0
    entry.ranges = []
    if (entry.busy === 0) this.#remove(entry)
  }

  #settle(entry: CachedFile): void {
    entry.busy--
    if (entry.busy === 0 && entry.dropped) this.#remove(entry)
  }

  #remove(entry: CachedFile): void {
    this.#closeHandle(entry)
    void unlink(entry.file).catch(() => {})
  }
}

const MAX_OPEN_FILES = 64
/** Read-ahead waits while more than this is waiting for the disk. */
export const WRITE_BEHIND_MAX_BYTES = 16 * 1024 * 1024
