// A file opened for reading. Reads become ranged GETs with read-ahead:
//
// - Small files (up to SMALL_FILE_MAX_BYTES, size known from the listing) are
//   fetched whole by the first read, in one request, and served from memory.
// - Otherwise the handle follows one sequential stream. Its window starts at
//   INITIAL_WINDOW_BYTES and doubles with every fetch while reads stay
//   sequential, up to readAheadMaxBytes; the next window is requested as soon
//   as the reader enters the current one, so one request is always in flight
//   ahead of the kernel and the bridge's round trip does not stall a copy.
//   Windows of 1 MiB or more end on a 1 MiB boundary, where the kernel's
//   reads end. A 64 MiB file is read in 14 GETs with the default 8 MiB
//   maximum. Bytes read in order from the caches count as progress too: a
//   reader reaching the end of a cached start gets a full window there.
// - A read far from the previous one is a seek: the window falls back to
//   INITIAL_WINDOW_BYTES at the new position and nothing more is prefetched
//   until reads are sequential again: a seek fetches only near its offset.
// - Requests start on the disk cache's block boundaries (block-ranges.ts) and
//   end on one unless they reach the end of the file, so what they fetch is
//   kept whole on disk. Bytes on the disk cache (disk-cache.ts) are read from
//   there, and read-ahead skips them. After SEEKS_BEFORE_FILL seeks the handle asks for
//   the whole file to be filled into the disk cache behind it (file-fill.ts),
//   so a reader jumping around soon finds its bytes on disk.
//
// - Where one connection is fast, windows of 1 MiB and more come from one
//   streamed GET instead of a GET each (streamed-windows.ts).
//
// The kernel may send reads of one handle in parallel and slightly out of
// order (its own read-ahead); "sequential" therefore means "within
// SEQUENTIAL_SLACK_BYTES of the furthest read so far", and parallel reads of
// the same bytes share one request through the chunk cache.

import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Remote, RemoteEntry } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'
import { BLOCK_BYTES, alignDown } from '../cache/block-ranges.js'
import { fileVersionKey, type ChunkCache, type Segment } from '../cache/chunk-cache.js'
import { toFsError } from '../remote-errors.js'
import { readExactly } from './exact-read.js'
import { StreamedWindows } from './streamed-windows.js'
import type { Attr, FileHandle } from '../types.js'

export const SMALL_FILE_MAX_BYTES = 1024 * 1024
export const INITIAL_WINDOW_BYTES = 128 * 1024
const SEQUENTIAL_SLACK_BYTES = 1024 * 1024
/** The largest read the kernel sends (libfuse 3's max_pages), aligned to it:
 *  a multiple of BLOCK_BYTES. */
const KERNEL_READ_BYTES = 1024 * 1024
/** A file manager's thumbnailer seeks once or twice; a player or a database
 *  keeps seeking. */
const SEEKS_BEFORE_FILL = 3

export interface ReadHandleOptions {
  path: string
  entry: RemoteEntry
  attr: Attr
  remote: Remote
  gate: BridgeGate
  chunks: ChunkCache
  logger: Logger
  /** Largest read-ahead window. */
  readAheadMaxBytes: number
  /** Called at the first read of a small file, after its own request is
   *  started (small-file-prefetch.ts). */
  onSmallFileRead?: () => void
  /** Called once the reader keeps seeking; returns what to call at release
   *  (file-fill.ts). */
  onRandomAccess?: (position: number) => () => void
  /** Milliseconds, for how fast windows arrive (default performance.now). */
  now?: () => number
}

export class ReadFileHandle implements FileHandle {
  readonly #o: ReadHandleOptions
  readonly #fileKey: string
  #released = false
  #smallFileReported = false
  // Sequential-stream state. furthestEnd: end of the furthest read so far
  // (null before the first read). streamEnd: end of what the stream has
  // requested. window: size of the next stream request. lastFetchBytes: size
  // of the latest stream request, the lead kept ahead of the reader.
  #furthestEnd: number | null = null
  #streamEnd = 0
  #window = INITIAL_WINDOW_BYTES
  #lastFetchBytes = 0
  // Where the current sequential run began (the first read or the last seek).
  #runStart = 0
  // Segments this handle relies on right now, kept even if the shared cache
  // evicts them under pressure from other readers. Their windows, with the
  // claim this handle holds on each (window-pool.ts).
  #recent: Segment[] = []
  readonly #held = new Map<Segment, Buffer>()
  #seeks = 0
  #stopFill: (() => void) | null = null
  readonly #streamed: StreamedWindows

  constructor(options: ReadHandleOptions) {
    this.#o = { ...options }
    this.#fileKey = fileVersionKey(options.path, options.entry)
    this.#streamed = new StreamedWindows(options)
  }

  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    return this.#serve(buffer, length, position, (end, fetchAt) => this.#copy(buffer, position, end, fetchAt))
  }

  // The kernel's reply is sent from the window itself when one segment in
  // memory holds the whole read: no copy into a reply buffer first.
  async readView(scratch: Buffer, length: number, position: number): Promise<Buffer> {
    let view: Buffer | null = null
    const n = await this.#serve(scratch, length, position, async (end, fetchAt) => {
      view = await this.#viewOf(position, end, fetchAt)
      return view ? view.length : this.#copy(scratch, position, end, fetchAt)
    })
    return view ?? scratch.subarray(0, n)
  }

  /** Bookkeeping of a read (small file, sequential stream or seek), then
   *  `deliver` of [position, end), then the read-ahead it calls for. */
  async #serve(buffer: Buffer, length: number, position: number, deliver: (end: number, fetchAt: (start: number) => Segment) => Promise<number>): Promise<number> {
    if (this.#released) throw new FsError('EBADF', `${this.#o.path}: handle already released`)
    const size = this.#o.entry.size
    const end = Math.min(position + length, size, position + buffer.length)
    if (position >= end) return 0
    if (size <= SMALL_FILE_MAX_BYTES) {
      const copied = deliver(end, () => this.#fetch(0, size))
      // Reported after #copy has started this file's request, so the file
      // being read asks the bridge before any prefetch does.
      if (!this.#smallFileReported) {
        this.#smallFileReported = true
        this.#o.onSmallFileRead?.()
      }
      return copied
    }

    const sequential = this.#furthestEnd !== null && Math.abs(position - this.#furthestEnd) <= SEQUENTIAL_SLACK_BYTES
    const first = this.#furthestEnd === null
    if (sequential) {
      this.#furthestEnd = Math.max(this.#furthestEnd ?? 0, end)
      this.#leaveBehind(position)
    } else {
      // A seek (or the first read): restart the stream here, small.
      if (!first && ++this.#seeks === SEEKS_BEFORE_FILL) this.#stopFill = this.#o.onRandomAccess?.(position) ?? null
      this.#furthestEnd = end
      this.#streamed.end()
      this.#window = INITIAL_WINDOW_BYTES
      this.#runStart = position
      this.#streamEnd = position
      this.#lastFetchBytes = 0
    }
    const copied = deliver(end, start => this.#fetchStream(start, end))
    // Prefetch only for a reader that is moving forward from the start or
    // along its previous reads, never after a lone random read.
    if (sequential || (first && position === 0)) this.#prefetch(end)
    return copied
  }

  async #copy(buffer: Buffer, position: number, end: number, fetchAt: (start: number) => Segment): Promise<number> {
    let cur = position
    const disk = this.#o.chunks.disk
    while (cur < end) {
      // Decided without awaiting: a parallel read of the same bytes must find
      // this one's request, not start its own.
      if (!this.#find(cur) && disk && disk.cachedEnd(this.#fileKey, cur) > cur) {
        const n = await disk.read(this.#fileKey, buffer, cur - position, cur, end)
        if (n > 0) {
          cur += n
          continue
        }
      }
      const segment = this.#find(cur) ?? fetchAt(cur)
      const data = await segment.data
      const available = segment.offset + data.length - cur
      if (available <= 0) break // past the end: segments carry exactly the listed bytes (exact-read.ts)
      const n = Math.min(available, end - cur)
      data.copy(buffer, cur - position, cur - segment.offset, cur - segment.offset + n)
      cur += n
    }
    return cur - position
  }

  /** [position, end) as a view of the one memory segment holding it all,
   *  or null (bytes on disk, or spread over segments): copy them then. */
  async #viewOf(position: number, end: number, fetchAt: (start: number) => Segment): Promise<Buffer | null> {
    const disk = this.#o.chunks.disk
    let segment = this.#find(position)
    if (!segment && disk && disk.cachedEnd(this.#fileKey, position) > position) return null
    segment ??= fetchAt(position)
    const data = await segment.data
    const from = position - segment.offset
    return segment.offset + data.length >= end ? data.subarray(from, from + end - position) : null
  }

  #find(position: number): Segment | undefined {
    for (const segment of this.#recent) {
      if (position >= segment.offset && position < segment.offset + segment.length) return segment
    }
    return this.#o.chunks.find(this.#fileKey, position)
  }

  #fetchStream(position: number, readEnd: number): Segment {
    this.#growWindow()
    const { start, length } = this.#nextRequest(position, readEnd)
    const segment = this.#fetch(start, length)
    this.#advance(start + segment.length, segment.length)
    return segment
  }

  // Bytes this run read from the caches count as progress, as fetched ones
  // do: a reader that went through the cached start of a file in order gets
  // full windows where the cache ends, not the small first ones.
  #growWindow(): void {
    const inOrder = Math.min((this.#furthestEnd ?? this.#runStart) - this.#runStart, this.#o.readAheadMaxBytes)
    while (this.#window * 2 <= inOrder) this.#window *= 2
  }

  /** The stream's next request holding position: from the block boundary
   *  at or before it, one window long (longer when the read it serves ends
   *  beyond that), ending on a block boundary, and not overlapping bytes
   *  already cached or in flight just ahead. */
  #nextRequest(position: number, readEnd = position + 1): { start: number; length: number } {
    let start = alignDown(position)
    // Only a segment that does not start on a block boundary (none is made
    // here) can sit between the boundary and position.
    if (this.#limit(start) <= position) start = position
    const limit = this.#limit(start)
    let end = Math.min(Math.max(start + this.#window, readEnd), limit)
    if (end < limit) {
      // A window of a kernel read or more ends where a kernel read ends, so
      // each read of the stream lies within one window and is answered from
      // it (readView) rather than copied from two. Shortened rather than
      // lengthened, to stay within the read-ahead maximum.
      const unit = this.#window >= KERNEL_READ_BYTES ? KERNEL_READ_BYTES : BLOCK_BYTES
      const shorter = Math.floor(end / unit) * unit
      end = Math.min(limit, shorter > start && shorter >= readEnd ? shorter : Math.ceil(end / unit) * unit)
    }
    return { start, length: end - start }
  }

  #prefetch(readEnd: number): void {
    const size = this.#o.entry.size
    if (this.#streamEnd >= size || this.#streamEnd - readEnd >= this.#lastFetchBytes) return
    if (!this.#o.gate.available) return
    // Skip over what is cached already (a file read again soon after).
    for (let known = this.#knownEnd(this.#streamEnd); known > this.#streamEnd; known = this.#knownEnd(this.#streamEnd)) {
      this.#streamEnd = known
      if (this.#streamEnd >= size || this.#streamEnd - readEnd >= this.#lastFetchBytes) return
    }
    this.#growWindow()
    const { start, length } = this.#nextRequest(this.#streamEnd)
    // Over the mount's byte budget (many readers at once): read on demand.
    if (!this.#o.chunks.roomForPrefetch(length)) return
    const segment = this.#fetch(start, length)
    this.#advance(start + segment.length, segment.length)
  }

  /** End of the cached or in-flight run at position (position if none). */
  #knownEnd(position: number): number {
    const segment = this.#find(position)
    if (segment) return segment.offset + segment.length
    return this.#o.chunks.disk?.cachedEnd(this.#fileKey, position) ?? position
  }

  /** Where a request starting at start must stop to not fetch again what is
   *  cached or in flight. */
  #limit(start: number): number {
    const disk = this.#o.chunks.disk
    const nextOnDisk = disk ? disk.nextCachedStart(this.#fileKey, start) : Infinity
    return Math.min(this.#o.entry.size, this.#o.chunks.nextStart(this.#fileKey, start), nextOnDisk)
  }

  #advance(end: number, fetchedBytes: number): void {
    this.#streamEnd = Math.max(this.#streamEnd, end)
    this.#lastFetchBytes = fetchedBytes
    this.#window = Math.min(this.#window * 2, Math.max(INITIAL_WINDOW_BYTES, this.#o.readAheadMaxBytes))
  }

  #fetch(offset: number, length: number): Segment {
    const { path, remote, gate, logger } = this.#o
    const what = `read ${path} [${offset}, ${offset + length})`
    gate.check(what)
    const windows = this.#o.chunks.windows
    const allocate = (n: number) => windows.take(n)
    const plain = () => readExactly(remote, path, offset, length, this.#o.entry.size, { signal: gate.signal, logger, allocate })
    const data = this.#streamed.window(offset, length, () => this.#limit(offset), allocate, plain).then(
      buffer => {
        // Claimed here, before the chunk cache sees the window (it may give
        // its own claim back at once).
        if (this.#recent.includes(segment)) {
          windows.retain(buffer)
          this.#held.set(segment, buffer)
        }
        return buffer
      },
      (err: unknown) => {
        throw gate.downError(what) ?? toFsError(err, { what, logger })
      },
    )
    const segment: Segment = { offset, length, data }
    this.#o.chunks.add(this.#fileKey, segment)
    this.#recent.push(segment)
    if (this.#recent.length > 4) this.#letGo(this.#recent.shift()!)
    // A failure is answered once, never cached: the next read asks again.
    data.catch(() => {
      this.#recent = this.#recent.filter(s => s !== segment)
    })
    return segment
  }

  // Segments the stream has gone past (beyond the slack of the kernel's reads
  // out of order) are let go, and the chunk cache drops them when their bytes
  // are on disk: their windows come back for the next fetches instead of
  // waiting for the cache's eviction. The bytes are read from disk if asked
  // for again. A 256 MiB read held about 5 windows of 8 MiB; it now holds 2 or 3.
  #leaveBehind(position: number): void {
    const behind = position - SEQUENTIAL_SLACK_BYTES
    if (!this.#recent.some(segment => segment.offset + segment.length <= behind)) return
    this.#recent = this.#recent.filter(segment => {
      if (segment.offset + segment.length > behind) return true
      this.#letGo(segment)
      this.#o.chunks.passed(this.#fileKey, segment)
      return false
    })
  }

  #letGo(segment: Segment): void {
    const buffer = this.#held.get(segment)
    if (!buffer) return
    this.#held.delete(segment)
    this.#o.chunks.windows.release(buffer)
  }

  async write(): Promise<number> {
    throw new FsError('EROFS', `${this.#o.path}: opened for reading only`)
  }

  async truncate(): Promise<void> {
    throw new FsError('EROFS', `${this.#o.path}: opened for reading only`)
  }

  async getattr(): Promise<Attr> {
    return { ...this.#o.attr }
  }

  async flush(): Promise<void> {}

  async fsync(): Promise<void> {}

  async release(): Promise<void> {
    this.#released = true
    this.#streamed.end()
    for (const segment of this.#recent) this.#letGo(segment)
    this.#recent = []
    this.#stopFill?.()
    this.#stopFill = null
  }
}
