// File content read from the bridge, shared by every open handle of a mount
// and bounded in bytes. A segment is one ranged GET: [offset, offset+length)
// of one version of one file. Segments still downloading are visible too, so
// a second reader of the same bytes (another handle, or the kernel sending
// reads of one handle in parallel) waits for the request already in flight
// instead of sending its own.
//
// Keys include the file's size, mtime and etag: once a listing shows a new
// version, the old bytes are simply never found again and age out.
//
// One byte budget covers both: completed segments are evicted (least
// recently used first) to make room for downloads in flight, and read-ahead
// asks roomForPrefetch() before starting one. So the mount's read path holds
// at most about maxBytes of content however many files are read at once;
// the daemon's resident memory follows that budget, not the read pattern.
//
// Every completed segment is also handed to the disk cache (disk-cache.ts),
// when the mount has one, which keeps far more for as long as it is mounted;
// dropping a path here drops it there too.
//
// Read handles fetch into windows of `windows` (window-pool.ts). A segment's
// window carries the claim its fetch took; this cache holds that claim while
// it keeps the segment, and a disk write holds one of its own until done.

import { LRUCache } from 'lru-cache'
import type { RemoteEntry } from '../../remote/remote.js'
import { WRITE_BEHIND_MAX_BYTES, type DiskCache } from './disk-cache.js'
import { DIRECT_WINDOW_MIN_BYTES, WindowPool } from './window-pool.js'
import { isSameOrBelow } from '../paths.js'

export interface Segment {
  offset: number
  /** Bytes asked for; the data is shorter only at the end of the file. */
  length: number
  data: Promise<Buffer>
}

export function fileVersionKey(path: string, entry: RemoteEntry): string {
  return `${path}\0${entry.size}\0${entry.mtimeMs ?? ''}\0${entry.etag ?? ''}`
}

function pathOfKey(fileKey: string): string {
  return fileKey.slice(0, fileKey.indexOf('\0'))
}

function sizeOfKey(fileKey: string): number {
  return Number(fileKey.split('\0', 2)[1])
}

export class ChunkCache {
  // Completed segments, for the byte bound and recency.
  readonly #done: LRUCache<string, Segment>
  // Every known segment (done or in flight) per file version, for lookup by
  // position. A file has at most a few hundred segments within the bound.
  readonly #byFile = new Map<string, Set<Segment>>()
  readonly #maxBytes: number
  #inflightBytes = 0
  /** The mount's disk cache, or null when it has none. */
  readonly disk: DiskCache | null
  /** Windows for read-ahead: free ones kept up to half the budget (two
   *  8 MiB windows of the default 32 MiB, as a read-ahead step can free two
   *  at once). */
  readonly windows: WindowPool
  // The buffer of each completed segment, to give its claim back on eviction.
  readonly #buffers = new Map<string, Buffer>()
  // Segments whose disk cache write is under way, and those of them a reader
  // has gone past (passed()).
  readonly #writing = new Set<string>()
  readonly #passed = new Set<string>()
  // Small segments (small files, a seek's windows) on disk, by recency, and
  // their bytes: kept in memory only up to #smallOnDiskMaxBytes. They were
  // written through the page cache, so reading them again from the disk
  // cache costs a copy and a checksum, not the disk. Without the bound, 500
  // files of 64 KiB or 2,000 seeks each kept the whole budget (32 MiB)
  // resident on top of the disk's copy.
  readonly #smallOnDisk = new Map<string, number>()
  #smallOnDiskBytes = 0
  readonly #smallOnDiskMaxBytes: number

  /** windows: shared with other mounts (MegaFsOptions.windows), or this
   *  cache's own. */
  constructor(maxBytes: number, disk: DiskCache | null = null, windows?: WindowPool) {
    this.#maxBytes = Math.max(1, maxBytes)
    this.disk = disk
    this.windows = windows ?? new WindowPool(Math.floor(this.#maxBytes / 2))
    this.#smallOnDiskMaxBytes = Math.floor(this.#maxBytes / 8)
    this.#done = new LRUCache<string, Segment>({
      maxSize: this.#maxBytes,
      sizeCalculation: (_segment, key) => Math.max(1, this.#sizes.get(key) ?? 1),
      dispose: (segment, key) => {
        this.#sizes.delete(key)
        this.#smallOnDiskBytes -= this.#smallOnDisk.get(key) ?? 0
        this.#smallOnDisk.delete(key)
        const buffer = this.#buffers.get(key)
        this.#buffers.delete(key)
        if (buffer) this.windows.release(buffer)
        this.#forget(key.slice(0, key.lastIndexOf('\0')), segment)
      },
    })
  }

  readonly #sizes = new Map<string, number>()

  /** The segment holding byte `position`, downloaded or in flight. */
  find(fileKey: string, position: number): Segment | undefined {
    const segments = this.#byFile.get(fileKey)
    if (!segments) return undefined
    for (const segment of segments) {
      if (position >= segment.offset && position < segment.offset + segment.length) {
        const key = `${fileKey}\0${segment.offset}`
        this.#done.get(key) // refresh recency
        const small = this.#smallOnDisk.get(key)
        if (small !== undefined) {
          this.#smallOnDisk.delete(key)
          this.#smallOnDisk.set(key, small)
        }
        return segment
      }
    }
    return undefined
  }

  /** Whether a whole file of `size` bytes is here from byte 0, in memory
   *  (downloaded or in flight) or on disk. */
  holdsWhole(fileKey: string, size: number): boolean {
    return this.find(fileKey, 0) !== undefined || (this.disk?.covers(fileKey, 0, size) ?? false)
  }

  /** Start of the first known segment after position, or Infinity. */
  nextStart(fileKey: string, position: number): number {
    let next = Infinity
    for (const segment of this.#byFile.get(fileKey) ?? []) {
      if (segment.offset > position && segment.offset < next) next = segment.offset
    }
    return next
  }

  /** Register a segment that is being downloaded. */
  add(fileKey: string, segment: Segment): void {
    let segments = this.#byFile.get(fileKey)
    if (!segments) this.#byFile.set(fileKey, (segments = new Set()))
    segments.add(segment)
    this.#inflightBytes += segment.length
    this.#makeRoom()
    let settled = false
    const settle = () => {
      if (settled) return
      settled = true
      this.#inflightBytes -= segment.length
    }
    segment.data.then(
      buffer => {
        settle()
        if (!this.#byFile.get(fileKey)?.has(segment)) {
          this.windows.release(buffer) // dropped meanwhile
          return
        }
        const key = `${fileKey}\0${segment.offset}`
        if (this.disk) {
          this.windows.retain(buffer)
          this.#writing.add(key)
          void this.disk.storeNow(fileKey, pathOfKey(fileKey), sizeOfKey(fileKey), segment.offset, buffer).finally(() => {
            this.#writing.delete(key)
            if (this.#passed.delete(key) && this.#done.peek(key) === segment) this.#dropIfOnDisk(fileKey, key, segment.offset)
            else if (buffer.length < DIRECT_WINDOW_MIN_BYTES && this.#done.peek(key) === segment) this.#heldSmall(fileKey, key, segment.offset, buffer.length)
            this.windows.release(buffer)
          })
        }
        this.#sizes.set(key, buffer.length)
        this.#done.set(key, segment)
        // Larger than the whole bound: not kept, so not findable either.
        if (!this.#done.has(key)) {
          this.#sizes.delete(key)
          this.#forget(fileKey, segment)
          this.windows.release(buffer)
        } else {
          this.#buffers.set(key, buffer)
        }
        this.#makeRoom()
      },
      () => {
        settle()
        this.#forget(fileKey, segment)
      },
    )
  }

  /** A sequential reader went past segment: dropped now if the disk cache
   *  holds its bytes (once its write is done, if that is still under way),
   *  so its window is free for the next fetch. Kept otherwise, for the
   *  cache's own eviction. */
  passed(fileKey: string, segment: Segment): void {
    if (!this.disk) return
    const key = `${fileKey}\0${segment.offset}`
    if (this.#writing.has(key)) this.#passed.add(key)
    else this.#dropIfOnDisk(fileKey, key, segment.offset)
  }

  // A small segment's bytes reached the disk: the oldest such ones beyond
  // the bound leave memory.
  #heldSmall(fileKey: string, key: string, offset: number, length: number): void {
    if (!this.disk?.covers(fileKey, offset, offset + length)) return
    this.#smallOnDisk.set(key, length)
    this.#smallOnDiskBytes += length
    for (const [oldest, bytes] of this.#smallOnDisk) {
      if (this.#smallOnDiskBytes <= this.#smallOnDiskMaxBytes) break
      this.#done.delete(oldest) // its dispose forgets it here too
      if (this.#smallOnDisk.delete(oldest)) this.#smallOnDiskBytes -= bytes
    }
  }

  #dropIfOnDisk(fileKey: string, key: string, offset: number): void {
    const length = this.#sizes.get(key)
    if (length !== undefined && this.disk?.covers(fileKey, offset, offset + length)) this.#done.delete(key)
  }

  /** The mounts went quiet (src/daemon/idle-reducer.ts): completed segments
   *  whose bytes are on disk are dropped, and the pool's free windows go
   *  too, so the collection that follows hands their memory back. A read of
   *  those bytes then comes from the disk cache (the page cache, mostly),
   *  as after a remount. What is only here (no disk cache, a file too large
   *  for it, a write still under way) stays. */
  releaseMemory(): void {
    for (const key of [...this.#done.keys()]) {
      if (this.#writing.has(key)) continue
      const at = key.lastIndexOf('\0')
      this.#dropIfOnDisk(key.slice(0, at), key, Number(key.slice(at + 1)))
    }
    this.windows.dropFree()
    this.disk?.releaseMemory()
  }

  /** Whether a read-ahead of `bytes` fits in the budget next to the
   *  downloads already in flight (completed segments make way for it), and
   *  the disk cache is not more than WRITE_BEHIND_MAX_BYTES behind. */
  roomForPrefetch(bytes: number): boolean {
    if (this.disk && this.disk.pendingBytes > 0 && this.disk.pendingBytes + bytes > WRITE_BEHIND_MAX_BYTES) return false
    return this.#inflightBytes + bytes <= this.#maxBytes
  }

  /** Bytes of segments still downloading. */
  get inflightBytes(): number {
    return this.#inflightBytes
  }

  // Completed segments give way to downloads in flight, oldest first.
  #makeRoom(): void {
    while (this.#done.size > 0 && this.#done.calculatedSize + this.#inflightBytes > this.#maxBytes) this.#done.pop()
  }

  /** Forget the content of path and everything below it (any version). */
  dropPath(path: string): void {
    for (const fileKey of [...this.#byFile.keys()]) {
      if (!isSameOrBelow(pathOfKey(fileKey), path)) continue
      for (const segment of [...(this.#byFile.get(fileKey) ?? [])]) this.#done.delete(`${fileKey}\0${segment.offset}`)
      this.#byFile.delete(fileKey)
    }
    this.disk?.dropPath(path)
  }

  clear(): void {
    this.#byFile.clear()
    this.#done.clear()
    this.disk?.clear()
  }

  /** The mount is going away: the windows of completed segments go back to
   *  the pool, for the next mount sharing it. */
  close(): void {
    this.#byFile.clear()
    this.#done.clear()
  }

  /** Bytes held by completed segments. */
  get sizeBytes(): number {
    return this.#done.calculatedSize
  }

  #forget(fileKey: string, segment: Segment): void {
    const segments = this.#byFile.get(fileKey)
    if (!segments) return
    segments.delete(segment)
    if (segments.size === 0) this.#byFile.delete(fileKey)
  }
}
