// The disk cache keeps whole blocks: each block of a file version on disk has
// its own checksum (content-index.ts), verified on every read. Blocks are
// BLOCK_BYTES at offsets that are multiples of it; the last block of a file
// ends at the file's end. Reads from the bridge start on block boundaries
// (read-handle.ts), so what they fetch is kept whole.
//
// For lookups by position, the blocks on disk are also kept as a flat list
// of merged [start, end) byte ranges.

import { crc32 } from './crc32.js'

export const BLOCK_BYTES = 128 * 1024

export function alignDown(position: number): number {
  return Math.floor(position / BLOCK_BYTES) * BLOCK_BYTES
}

/** Bytes of block `block` of a file of `size` bytes. */
export function blockLength(block: number, size: number): number {
  return Math.max(0, Math.min(BLOCK_BYTES, size - block * BLOCK_BYTES))
}

/** The whole blocks inside [offset, offset + length) of a file of `size`
 *  bytes, as a byte range (empty when there are none). */
export function wholeBlocksWithin(offset: number, length: number, size: number): { start: number; end: number } {
  const start = Math.ceil(offset / BLOCK_BYTES) * BLOCK_BYTES
  const stop = Math.min(offset + length, size)
  const end = stop >= size ? size : alignDown(stop)
  return end > start ? { start, end } : { start, end: start }
}

/** Checksum of each block of data, which starts at block `first`. */
export function blockChecksums(data: Buffer, first: number): [block: number, crc: number][] {
  const out: [number, number][] = []
  for (let at = 0, block = first; at < data.length; at += BLOCK_BYTES, block++) {
    out.push([block, crc32(data.subarray(at, Math.min(at + BLOCK_BYTES, data.length)))])
  }
  return out
}

export function checksumOf(data: Buffer): number {
  return crc32(data)
}

/** Merged byte ranges of a set of blocks, flat [start, end, start, end...]. */
export function rangesOfBlocks(blocks: Iterable<number>, size: number): number[] {
  const sorted = [...blocks].sort((a, b) => a - b)
  const ranges: number[] = []
  for (const block of sorted) {
    const start = block * BLOCK_BYTES
    const end = Math.min(size, start + BLOCK_BYTES)
    if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = end
    else ranges.push(start, end)
  }
  return ranges
}

/** ranges with [start, end) added, merged. */
export function addRange(ranges: number[], start: number, end: number): number[] {
  const merged: number[] = []
  let s = start
  let e = end
  let i = 0
  for (; i < ranges.length && ranges[i + 1]! < s; i += 2) merged.push(ranges[i]!, ranges[i + 1]!)
  for (; i < ranges.length && ranges[i]! <= e; i += 2) {
    s = Math.min(s, ranges[i]!)
    e = Math.max(e, ranges[i + 1]!)
  }
  merged.push(s, e)
  for (; i < ranges.length; i += 2) merged.push(ranges[i]!, ranges[i + 1]!)
  return merged
}

/** End of the run containing position; position when it is in none. */
export function runEnd(ranges: number[], position: number): number {
  for (let i = 0; i < ranges.length; i += 2) {
    if (position < ranges[i]!) break
    if (position < ranges[i + 1]!) return ranges[i + 1]!
  }
  return position
}

/** Start of the first range after position, or Infinity. */
export function nextStart(ranges: number[], position: number): number {
  for (let i = 0; i < ranges.length; i += 2) if (ranges[i]! > position) return ranges[i]!
  return Infinity
}
