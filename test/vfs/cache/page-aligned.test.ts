import { constants } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PAGE_BYTES, isPageAligned, pageAlignedBuffer } from '../../../src/vfs/cache/page-aligned.js'
import { DIRECT_WINDOW_MIN_BYTES, WindowPool } from '../../../src/vfs/cache/window-pool.js'

const MiB = 1024 * 1024

t.test('windows from pageAlignedBuffer and their page-aligned views are told apart from other buffers', async t => {
  const w = pageAlignedBuffer(8 * MiB + 100)
  t.equal(w.length, 8 * MiB + 100)
  t.ok(isPageAligned(w))
  t.ok(isPageAligned(w.subarray(PAGE_BYTES * 3)), 'a view at a page')
  t.notOk(isPageAligned(w.subarray(16)), 'a view off a page')
  t.notOk(isPageAligned(Buffer.allocUnsafeSlow(8 * MiB)), 'a malloc buffer')
})

t.test('the kernel takes a direct write from such a window (and not from an ordinary Buffer)', { skip: constants.O_DIRECT === undefined ? 'no O_DIRECT here' : false }, async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-aligned-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const fh = await open(join(dir, 'f'), constants.O_RDWR | constants.O_CREAT | constants.O_DIRECT)
  t.teardown(() => fh.close())
  const w = pageAlignedBuffer(2 * MiB)
  w.fill(7)
  t.equal((await fh.write(w, 0, w.length, 0)).bytesWritten, w.length)
  // 16 bytes into a page, where large malloc blocks start: refused.
  await t.rejects(fh.write(w.subarray(16), 0, MiB, 0), { code: 'EINVAL' })
})

t.test("the pool's stream windows are page-aligned, small ones ordinary", async t => {
  const pool = new WindowPool(64 * MiB)
  const big = pool.take(DIRECT_WINDOW_MIN_BYTES)
  t.ok(isPageAligned(big))
  t.notOk(isPageAligned(pool.take(DIRECT_WINDOW_MIN_BYTES / 2)))
  pool.release(big)
  t.equal(pool.take(DIRECT_WINDOW_MIN_BYTES), big, 'reused like any window')
})
