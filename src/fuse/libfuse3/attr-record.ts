// Attributes cross into the addon as numbers in a Float64Array, ATTR_STRIDE
// per entry, in the order src/fuse/native/binding.cc reads them.

import type { Attr } from '../../vfs/types.js'

export const ATTR_STRIDE = 11

/** st_blksize: what cp and friends use as their I/O size. 1 MiB matches the
 *  largest read and write the kernel hands over on this backend. */
export const PREFERRED_IO_BYTES = 1024 * 1024

export function writeAttr(target: Float64Array, index: number, ino: number, attr: Attr): void {
  const o = index * ATTR_STRIDE
  target[o] = ino
  target[o + 1] = attr.mode
  target[o + 2] = attr.nlink
  target[o + 3] = attr.uid
  target[o + 4] = attr.gid
  target[o + 5] = attr.size
  target[o + 6] = attr.blocks
  target[o + 7] = PREFERRED_IO_BYTES
  target[o + 8] = attr.atimeMs
  target[o + 9] = attr.mtimeMs
  target[o + 10] = attr.ctimeMs
}

/** What the kernel caches of an entry (mode, size, time), as one number:
 *  when it changes, the kernel's copy is stale. A number, not a string:
 *  every inode the kernel holds keeps one (100,000 after a crawl of that
 *  many files), and the string `mode:size:mtime` cost about 90 bytes each
 *  (a V8 cons string and its parts) against none for a number. Two 32-bit
 *  hashes make 53 bits: two different attributes look the same once in
 *  about 2^53 changes. Never 0, which means "the kernel holds none". */
export function attrSignature(attr: Attr): number {
  // Unrolled: one call per entry of every readdirplus answer, so no arrays.
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  let lo = attr.mode >>> 0
  let hi = high(attr.mode)
  a = mix(a, lo, hi)
  b = mix(b ^ 0x5bd1e995, hi, lo)
  lo = attr.size >>> 0
  hi = high(attr.size)
  a = mix(a, lo, hi)
  b = mix(b ^ 0x5bd1e995, hi, lo)
  lo = attr.mtimeMs >>> 0
  hi = high(attr.mtimeMs)
  a = mix(a, lo, hi)
  b = mix(b ^ 0x5bd1e995, hi, lo)
  return (a & 0x1f_ffff) * 0x1_0000_0000 + (b >>> 0) || 1
}

function high(v: number): number {
  return Math.floor(v / 0x1_0000_0000) >>> 0
}

// murmur3's 32-bit step (for x, then y) and finalizer.
function mix(h: number, x: number, y: number): number {
  h = step(h, x)
  h = step(h, y)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  return Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64
}

/** The version of a file's content the kernel's pages belong to. */
export function contentVersion(attr: Attr): string {
  return `${attr.size}:${attr.mtimeMs}`
}
