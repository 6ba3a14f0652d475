// The files of the disk cache (disk-cache.ts): one sparse file per cached
// file version, named by its id in the index, the handles kept open on them
// (one through the page cache, and one with O_DIRECT for windows written past
// it), and reading whole blocks back with their checksums checked.

import { open, unlink, type FileHandle } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import path from 'node:path'
import type { IndexedFile } from '../store/content-index.js'
import { BLOCK_BYTES, alignDown, blockLength, checksumOf, rangesOfBlocks } from './block-ranges.js'
import { PAGE_BYTES, isPageAligned } from './page-aligned.js'

/** Linux's O_DIRECT (0 where there is none, as on macOS: writes then always
 *  go through the page cache). */
export const O_DIRECT = fsConstants.O_DIRECT ?? 0

export interface CachedFile {
  id: number
  key: string
  /** Mount path of the file, for dropPath. */
  path: string
  file: string
  size: number
  /** Checksum of each block on disk, by block number. */
  crcs: Map<number, number>
  /** The same blocks as merged byte ranges, flat. */
  ranges: number[]
  bytes: number
  pinned: boolean
  handle: Promise<FileHandle> | null
  /** The same file opened with O_DIRECT, once a direct write needed it. */
  direct: Promise<FileHandle> | null
  /** Reads and writes in progress on handle. */
  busy: number
  dropped: boolean
}

export function cachedFile(folder: string, row: IndexedFile, crcs = new Map<number, number>()): CachedFile {
  return {
    ...row,
    file: path.join(folder, String(row.id)),
    crcs,
    ranges: rangesOfBlocks(crcs.keys(), row.size),
    handle: null,
    direct: null,
    busy: 0,
    dropped: false,
  }
}

/** Open handles on cache files, at most maxOpen of them: the least recently
 *  used file with nothing in progress is closed first. */
export class OpenCacheFiles {
  readonly #maxOpen: number
  #open = 0
  #direct: boolean
  readonly #noDirect: (err: unknown) => void
  #directBytes = 0
  /** For reads that are not block-aligned (readChecked). */
  readonly spans = new SpanBuffers(SPAN_BUFFER_BYTES, 4)

  /** direct: write page-aligned windows with O_DIRECT (where the system has
   *  it); noDirect is told once if the file system refuses it. */
  constructor(maxOpen: number, direct: boolean, noDirect: (err: unknown) => void = () => {}) {
    this.#maxOpen = maxOpen
    this.#direct = direct && O_DIRECT !== 0
    this.#noDirect = noDirect
  }

  /** From now on every write goes through the page cache. */
  stopDirect(): void {
    this.#direct = false
  }

  /** Bytes written with O_DIRECT so far. */
  get directBytes(): number {
    return this.#directBytes
  }

  /** Writes all of data at start of entry's file (handle: its handle()),
   *  with O_DIRECT where data is a page-aligned window unless pageCache. */
  async write(entry: CachedFile, handle: FileHandle, start: number, data: Buffer, pageCache = false): Promise<void> {
    let done = !pageCache && isPageAligned(data) ? await this.#writeDirect(entry, start, data) : 0
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, start + done)
      done += bytesWritten
    }
  }

  // A window of a stream goes to disk with O_DIRECT, its last partial page
  // (at the end of a file) through the page cache. The kernel already keeps
  // the file's pages for the mount (the FUSE file's); a second copy of the
  // same bytes under the cache file cost the daemon 40-400 ms of CPU per
  // 256 MiB, most of it the kernel finding fresh pages for it, and took as
  // much memory again. Returns the bytes written that way; 0 where the file
  // system has no direct I/O (the page cache then takes every write).
  async #writeDirect(entry: CachedFile, start: number, data: Buffer): Promise<number> {
    const bulk = data.length - (data.length % PAGE_BYTES)
    if (!this.#direct || bulk === 0) return 0
    let done = 0
    try {
      const handle = await this.directHandle(entry)
      while (done < bulk) {
        const { bytesWritten } = await handle.write(data, done, bulk - done, start + done)
        done += bytesWritten
        // The rest goes through the page cache (a short direct write ends
        // on a block; seen only when the disk is nearly full).
        if (bytesWritten === 0 || done % PAGE_BYTES !== 0) break
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err
      this.#direct = false
      this.#noDirect(err)
    }
    this.#directBytes += done
    return done
  }

  /** entry's handle, opened (and the file created) on first use; byRecency
   *  lists the candidates for closing, least recent first. */
  handle(entry: CachedFile, byRecency: Iterable<CachedFile>): Promise<FileHandle> {
    if (!entry.handle) {
      entry.handle = open(entry.file, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o600)
      this.#open++
      for (const other of byRecency) {
        if (this.#open <= this.#maxOpen) break
        if (other !== entry && other.handle && other.busy === 0) this.close(other)
      }
    }
    return entry.handle
  }

  /** entry's O_DIRECT handle, opened on first use, after handle() created
   *  the file. Rejects where the file system has no direct I/O (EINVAL). */
  directHandle(entry: CachedFile): Promise<FileHandle> {
    if (!entry.direct) {
      const opening = open(entry.file, fsConstants.O_WRONLY | O_DIRECT)
      entry.direct = opening
      // A failed open is not kept: the caller decides whether to try again.
      opening.catch(() => {
        if (entry.direct === opening) entry.direct = null
      })
    }
    return entry.direct
  }

  close(entry: CachedFile): void {
    const handle = entry.handle
    if (!handle) return
    entry.handle = null
    this.#open--
    void handle.then(h => h.close()).catch(() => {})
    const direct = entry.direct
    entry.direct = null
    void direct?.then(h => h.close()).catch(() => {})
  }

  /** Closes and deletes the file of an entry that was dropped. */
  remove(entry: CachedFile): void {
    this.close(entry)
    void unlink(entry.file).catch(() => {})
  }
}

export interface CheckedRead {
  /** Bytes copied into the buffer, all of them checked. */
  copied: number
  /** The first block that failed, and why; null when none did. */
  bad: { block: number; why: string } | null
}

/** The whole blocks around a read that does not start and end on block
 *  boundaries (a random read's usually do not), read to be checked: in
 *  buffers reused from read to read. A buffer per read left 2,000 random
 *  4 KiB reads 250-500 MiB of 128-256 KiB buffers for the collector, which
 *  V8 lets pile up to about 64 MiB outside its heap before collecting. */
export class SpanBuffers {
  readonly #free: Buffer[] = []

  /** bytes: the largest span kept for reuse; keep: free buffers held at most. */
  constructor(readonly bytes: number, readonly keep: number) {}

  /** A buffer of at least length bytes. */
  take(length: number): Buffer {
    if (length > this.bytes) return Buffer.allocUnsafeSlow(length)
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.bytes)
  }

  give(buffer: Buffer): void {
    if (buffer.length === this.bytes && this.#free.length < this.keep) this.#free.push(buffer)
  }

  /** The mounts went quiet: free buffers go to the collector. */
  dropFree(): void {
    this.#free.length = 0
  }

  get freeCount(): number {
    return this.#free.length
  }
}

/** A kernel read (up to 1 MiB) with a partial block on either side. */
export const SPAN_BUFFER_BYTES = 1024 * 1024 + 2 * BLOCK_BYTES

/** Reads [position, stop) of a cached run into buffer at bufferOffset. Whole
 *  blocks are read so each can be checked against its checksum, straight
 *  into the caller's buffer when the read is block-aligned (the kernel's
 *  usually are), else into a buffer of spans; copying stops at the first
 *  block that fails. */
export async function readChecked(entry: CachedFile, handle: FileHandle, buffer: Buffer, bufferOffset: number, position: number, stop: number, spans?: SpanBuffers): Promise<CheckedRead> {
  const spanStart = alignDown(position)
  const spanEnd = Math.min(entry.size, Math.ceil(stop / BLOCK_BYTES) * BLOCK_BYTES)
  const direct = spanStart === position && spanEnd === stop
  const whole = direct ? null : (spans?.take(spanEnd - spanStart) ?? Buffer.allocUnsafe(spanEnd - spanStart))
  const span = whole ? whole.subarray(0, spanEnd - spanStart) : buffer.subarray(bufferOffset, bufferOffset + (spanEnd - spanStart))
  try {
    let got = 0
    while (got < span.length) {
      const { bytesRead } = await handle.read(span, got, span.length - got, spanStart + got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    let good = spanStart
    let bad: CheckedRead['bad'] = null
    for (let block = spanStart / BLOCK_BYTES; block * BLOCK_BYTES < spanEnd; block++) {
      const at = block * BLOCK_BYTES - spanStart
      const length = blockLength(block, entry.size)
      if (at + length > got) {
        bad = { block, why: 'missing on disk' }
        break
      }
      if (checksumOf(span.subarray(at, at + length)) !== entry.crcs.get(block)) {
        bad = { block, why: 'checksum mismatch' }
        break
      }
      good = block * BLOCK_BYTES + length
    }
    const copied = Math.max(0, Math.min(good, stop) - position)
    if (!direct && copied > 0) span.copy(buffer, bufferOffset, position - spanStart, position - spanStart + copied)
    return { copied, bad }
  } finally {
    if (whole) spans?.give(whole)
  }
}
