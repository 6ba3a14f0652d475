import { randomBytes } from 'node:crypto'
import { crc32 as zlibCrc32 } from 'node:zlib'
import t from 'tap'
import { crc32, crc32Source } from '../../../src/vfs/cache/crc32.js'

t.test('the disk cache checksums are zlib crc32 values, so stores written by either implementation read back', async t => {
  for (const length of [0, 1, 7, 64, 4095, 4096, 131_071, 131_072, 131_073, 1 << 20]) {
    const data = randomBytes(length)
    t.equal(crc32(data), zlibCrc32(data), `${length} bytes`)
    // A view into a larger buffer, as blocks of a window are.
    const window = randomBytes(length + 100)
    const view = window.subarray(33, 33 + length)
    t.equal(crc32(view), zlibCrc32(view), `${length} bytes at an odd offset`)
  }
  t.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the check value of CRC-32')
})

t.test('the fast implementation is used where its prebuilt binary exists', { skip: process.platform === 'linux' && process.arch === 'x64' ? false : 'prebuilt checked on linux x64 only' }, async t => {
  t.equal(crc32Source, 'simd')
})
