// CRC-32 (the IEEE polynomial, zlib's) of the disk cache's blocks
// (block-ranges.ts). Every byte a read fetches is checksummed once on its way
// to disk and again whenever it is read back, so its speed shows in the daemon's
// CPU. Node's zlib computes it a byte table at a time, about 150 ms for each 256 MiB
// on the bench machine. @node-rs/crc32 uses the processor's carry-less multiply
// and takes about 40 ms. Both give the same values, so checksums stored by
// either are checked by either. Where the package's prebuilt binary is missing
// (an unusual platform), zlib's is used.

import { createRequire } from 'node:module'
import { crc32 as zlibCrc32 } from 'node:zlib'

type Crc32 = (data: Buffer) => number

function load(): { fn: Crc32; source: 'simd' | 'zlib' } {
  try {
    const native = (createRequire(import.meta.url)('@node-rs/crc32') as { crc32: (data: Buffer, initial?: number) => number }).crc32
    // Checked once on a known value, so a broken build falls back rather than
    // storing checksums nothing else would match.
    if (native(Buffer.from('123456789')) === 0xcbf43926) return { fn: native, source: 'simd' }
  } catch {
    // No binary for this platform: zlib's below.
  }
  return { fn: data => zlibCrc32(data), source: 'zlib' }
}

const chosen = load()

/** CRC-32 of data, as node:zlib's crc32 computes it. */
export const crc32: Crc32 = chosen.fn

/** Which implementation crc32 is: 'simd' (@node-rs/crc32) or 'zlib'. */
export const crc32Source = chosen.source
