import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { DiskCache } from '../../../src/vfs/cache/disk-cache.js'
import { patternBuffer } from '../../helpers/fake-remote.js'
import { waitUntil } from '../../helpers/wait-until.js'

const KiB = 1024

async function setup(t: Test, maxBytes = 1024 * KiB) {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-disk-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const folder = join(dir, 'cache')
  const cache = new DiskCache({ folder, maxBytes, logger: silentLogger })
  await cache.ready
  t.teardown(() => cache.close())
  return { cache, folder, dir }
}

/** Stores are fire and forget; a range is findable once on disk. */
const until = (what: string, check: () => boolean) => waitUntil(what, check, 5_000, 2)

t.test('a stored range is read back once written, and only then', async t => {
  const { cache } = await setup(t)
  const content = patternBuffer(300 * KiB, 3)
  cache.store('k', '/a.bin', content.length, 100 * KiB, content.subarray(100 * KiB, 200 * KiB))
  t.equal(cache.cachedEnd('k', 100 * KiB), 100 * KiB, 'not findable before the write completed')
  await until('the range', () => cache.covers('k', 100 * KiB, 200 * KiB))
  t.equal(cache.cachedEnd('k', 150 * KiB), 200 * KiB)
  t.equal(cache.cachedEnd('k', 99 * KiB), 99 * KiB, 'a byte before it is not cached')
  t.equal(cache.nextCachedStart('k', 0), 100 * KiB)
  t.equal(cache.nextCachedStart('k', 100 * KiB), Infinity)

  const buf = Buffer.alloc(300 * KiB)
  t.equal(await cache.read('k', buf, 0, 0, 300 * KiB), 0, 'nothing at 0')
  t.equal(await cache.read('k', buf, 7, 150 * KiB, 300 * KiB), 50 * KiB, 'up to the end of the run')
  t.ok(buf.subarray(7, 7 + 50 * KiB).equals(content.subarray(150 * KiB, 200 * KiB)))
  t.equal(await cache.read('other', buf, 0, 0, 10), 0, 'another key has nothing')

  // Ranges merge: before, after and across.
  cache.store('k', '/a.bin', content.length, 0, content.subarray(0, 100 * KiB))
  cache.store('k', '/a.bin', content.length, 250 * KiB, content.subarray(250 * KiB))
  await until('both ranges', () => cache.covers('k', 0, 200 * KiB) && cache.covers('k', 250 * KiB, 300 * KiB))
  t.equal(cache.nextCachedStart('k', 10), 250 * KiB)
  cache.store('k', '/a.bin', content.length, 190 * KiB, content.subarray(190 * KiB, 260 * KiB))
  await until('one run', () => cache.covers('k', 0, 300 * KiB))
  t.equal(cache.sizeBytes, 300 * KiB, 'bytes counted once')
  const all = Buffer.alloc(300 * KiB)
  t.equal(await cache.read('k', all, 0, 0, 300 * KiB), 300 * KiB)
  t.ok(all.equals(content), 'the whole file, byte for byte')
})

t.test('whole files are evicted least recently used first; big files are not kept', async t => {
  const { cache, folder } = await setup(t, 1024 * KiB)
  const piece = patternBuffer(400 * KiB, 5)
  t.notOk(cache.accepts(513 * KiB), 'over half the budget: not kept')
  cache.store('big', '/big', 600 * KiB, 0, patternBuffer(600 * KiB, 1))
  cache.store('a', '/a', piece.length, 0, piece)
  await until('a', () => cache.covers('a', 0, piece.length))
  cache.store('b', '/b', piece.length, 0, piece)
  await until('b', () => cache.covers('b', 0, piece.length))
  t.notOk(cache.covers('big', 0, 1), 'the big file was not stored')
  // a is used, so b is the least recent when c arrives.
  t.equal(await cache.read('a', Buffer.alloc(10), 0, 0, 10), 10)
  cache.store('c', '/c', piece.length, 0, piece)
  await until('c', () => cache.covers('c', 0, piece.length))
  t.ok(cache.covers('a', 0, piece.length), 'the recently read file stays')
  t.notOk(cache.covers('b', 0, 1), 'the least recently used file went')
  t.equal(cache.sizeBytes, 800 * KiB)
  // Real I/O: the file is unlinked in the background.
  await waitUntil('its file is removed from disk', async () => (await readdir(folder)).length === 2, 5_000, 2)
  t.equal((await readdir(folder)).length, 2, 'its file is removed from disk')
})

t.test('dropPath and clear forget content; a new mount starts empty', async t => {
  const { cache, folder, dir } = await setup(t)
  const data = patternBuffer(10 * KiB, 2)
  cache.store('x1', '/dir/x', data.length, 0, data)
  cache.store('y1', '/dir/sub/y', data.length, 0, data)
  cache.store('z1', '/dirz', data.length, 0, data)
  await until('all three', () => ['x1', 'y1', 'z1'].every(k => cache.covers(k, 0, data.length)))
  cache.dropPath('/dir')
  t.notOk(cache.covers('x1', 0, 1))
  t.notOk(cache.covers('y1', 0, 1))
  t.ok(cache.covers('z1', 0, data.length), 'a sibling whose name starts the same stays')
  t.equal(cache.sizeBytes, 10 * KiB)
  cache.clear()
  t.equal(cache.sizeBytes, 0)

  // A leftover folder (a crash) is emptied by the next mount's cache.
  const leftover = join(dir, 'leftover')
  await mkdir(leftover)
  await writeFile(join(leftover, '1'), 'stale bytes')
  const next = new DiskCache({ folder: leftover, maxBytes: 1024 * KiB, logger: silentLogger })
  await next.ready
  t.same(await readdir(leftover), [], 'emptied at start')
  await next.close()
  await cache.close()
  await t.rejects(readdir(folder), { code: 'ENOENT' }, 'close removes the folder')
})

t.test('an unusable folder means no disk cache, not a failed mount', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-disk-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'file'), 'x')
  const cache = new DiskCache({ folder: join(dir, 'file', 'cache'), maxBytes: 1024 * KiB, logger: silentLogger })
  await cache.ready
  t.notOk(cache.accepts(10), 'keeps nothing')
  cache.store('k', '/k', 10, 0, Buffer.alloc(10))
  t.equal(await cache.read('k', Buffer.alloc(10), 0, 0, 10), 0)
})
