// The files of the disk cache (disk-cache.ts): one sparse file per cached
// file version, named by its id in the index, the handles kept open on them,
// and reading whole blocks back with their checksums checked.

import { open, unlink, type FileHandle } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import path from 'node:path'
import type { IndexedFile } from '../store/content-index.js'
import { BLOCK_BYTES, alignDown, blockLength, checksumOf, rangesOfBlocks } from './block-ranges.js'

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
    busy: 0,
    dropped: false,
  }
}

/** Open handles on cache files, at most maxOpen of them: the least recently
 *  used file with nothing in progress is closed first. */
export class OpenCacheFiles {
  readonly #maxOpen: number
  #open = 0

  constructor(maxOpen: number) {
    this.#maxOpen = maxOpen
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

  close(entry: CachedFile): void {
    const handle = entry.handle
    if (!handle) return
    entry.handle = null
    this.#open--
    void handle.then(h => h.close()).catch(() => {})
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

/** Reads [position, stop) of a cached run into buffer at bufferOffset. Whole
 *  blocks are read so each can be checked against its checksum, straight
 *  into the caller's buffer when the read is block-aligned (the kernel's
 *  usually are); copying stops at the first block that fails. */
export async function readChecked(entry: CachedFile, handle: FileHandle, buffer: Buffer, bufferOffset: number, position: number, stop: number): Promise<CheckedRead> {
  const spanStart = alignDown(position)
  const spanEnd = Math.min(entry.size, Math.ceil(stop / BLOCK_BYTES) * BLOCK_BYTES)
  const direct = spanStart === position && spanEnd === stop
  const span = direct ? buffer.subarray(bufferOffset, bufferOffset + (spanEnd - spanStart)) : Buffer.allocUnsafe(spanEnd - spanStart)
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
}
