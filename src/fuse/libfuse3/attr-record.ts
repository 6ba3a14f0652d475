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

/** What the kernel caches of an entry: when it changes, the kernel's copy
 *  is stale. */
export function attrSignature(attr: Attr): string {
  return `${attr.mode}:${attr.size}:${attr.mtimeMs}`
}

/** The version of a file's content the kernel's pages belong to. */
export function contentVersion(attr: Attr): string {
  return `${attr.size}:${attr.mtimeMs}`
}
