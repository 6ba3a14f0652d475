import t from 'tap'
import { WindowPool } from '../../../src/vfs/cache/window-pool.js'

t.test('a window comes back only when its last claim is given back', async t => {
  const pool = new WindowPool(64)
  const a = pool.take(16)
  t.equal(a.length, 16)
  pool.retain(a)
  pool.release(a)
  t.equal(pool.freeBytes, 0, 'one claim still held')
  t.not(pool.take(16), a, 'a held window is never handed out')
  pool.release(a)
  t.equal(pool.freeBytes, 16)
  t.equal(pool.take(16), a, 'the free window is reused')
  t.equal(pool.reused, 1)
  t.equal(pool.freeBytes, 0)
})

t.test('sizes are kept apart; free windows bounded, the latest kept; extra releases are ignored', async t => {
  const pool = new WindowPool(40)
  const [a, b, c] = [pool.take(16), pool.take(16), pool.take(16)]
  for (const w of [a, b, c]) pool.release(w)
  t.equal(pool.freeBytes, 32, 'the oldest free window made room and is left to the collector')
  pool.release(a)
  pool.release(c)
  t.equal(pool.freeBytes, 32, 'a window already free is not counted twice')
  t.not(pool.take(8), c, 'another size is a new window')
  t.equal(pool.take(16), c, 'the latest freed is reused first')
  t.equal(pool.take(16), b)
  t.not(pool.take(16), a, 'the one that made room is not kept')
  pool.release(pool.take(64))
  t.equal(pool.freeBytes, 0, 'a window larger than the bound is never kept')
})

t.test('buffers not from take() pass through', async t => {
  const pool = new WindowPool(64)
  const other = Buffer.alloc(16)
  pool.retain(other)
  pool.release(other)
  t.equal(pool.freeBytes, 0)
  t.not(pool.take(16), other)
})

t.test('free windows are let go when asked (the mounts went quiet); held ones stay claimed', async t => {
  const pool = new WindowPool(64)
  const [a, b, c] = [pool.take(16), pool.take(32), pool.take(16)]
  pool.release(a)
  pool.release(b)
  t.equal(pool.freeBytes, 48)
  t.equal(pool.dropFree(), 48, 'the bytes let go')
  t.equal(pool.freeBytes, 0)
  t.not(pool.take(16), a, 'a window let go is never handed out again')
  t.not(pool.take(32), b)
  pool.release(c)
  t.equal(pool.freeBytes, 16, 'a window still held then was not let go, and comes back when freed')
  t.equal(pool.take(16), c)
})
