import { existsSync } from 'node:fs'
import { mkdtemp, open, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { BLOCK_BYTES as B } from '../../../src/vfs/cache/block-ranges.js'
import { O_DIRECT, OpenCacheFiles, cachedFile } from '../../../src/vfs/cache/cache-files.js'
import { DiskCache } from '../../../src/vfs/cache/disk-cache.js'
import { PAGE_BYTES, pageAlignedBuffer } from '../../../src/vfs/cache/page-aligned.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { patternBuffer } from '../../helpers/fake-remote.js'
import { waitUntil } from '../../helpers/wait-until.js'

/** base: the folder the cache goes in (default the system's temporary one). */
async function setup(t: Test, maxBytes = 64 * B, options: { base?: string; directWrites?: boolean } = {}) {
  const dir = await mkdtemp(join(options.base ?? tmpdir(), 'megamount-disk-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const open = async () => {
    const store = MountStore.open(dir, 'test-source', silentLogger)
    const cache = new DiskCache({ folder: store.cacheFolder, maxBytes, logger: silentLogger, index: store.content, directWrites: options.directWrites })
    await cache.ready
    const close = async () => {
      await cache.close()
      store.close()
    }
    return { store, cache, close }
  }
  const first = await open()
  t.teardown(first.close)
  return { ...first, folder: first.store.cacheFolder, dir, reopen: open }
}

/** Stores are fire and forget; a range is findable once on disk. */
const until = (what: string, check: () => boolean) => waitUntil(what, check, 5_000, 2)

t.test('a stored range is read back once written, and only then', async t => {
  const { cache } = await setup(t)
  const size = 5 * B + 100
  const content = patternBuffer(size, 3)
  cache.store('k', '/a.bin', size, B, content.subarray(B, 3 * B))
  t.equal(cache.cachedEnd('k', B), B, 'not findable before the write completed')
  await until('the range', () => cache.covers('k', B, 3 * B))
  t.equal(cache.cachedEnd('k', 2 * B + 5), 3 * B)
  t.equal(cache.cachedEnd('k', B - 1), B - 1, 'a byte before it is not cached')
  t.equal(cache.nextCachedStart('k', 0), B)
  t.equal(cache.nextCachedStart('k', B), Infinity)

  const buf = Buffer.alloc(size)
  t.equal(await cache.read('k', buf, 0, 0, size), 0, 'nothing at 0')
  t.equal(await cache.read('k', buf, 7, 2 * B + 10, size), B - 10, 'up to the end of the run')
  t.ok(buf.subarray(7, 7 + B - 10).equals(content.subarray(2 * B + 10, 3 * B)))
  t.equal(await cache.read('other', buf, 0, 0, 10), 0, 'another key has nothing')

  // Ranges merge: before, after and across; the last block ends at the file's end.
  cache.store('k', '/a.bin', size, 0, content.subarray(0, B))
  cache.store('k', '/a.bin', size, 4 * B, content.subarray(4 * B))
  await until('both ranges', () => cache.covers('k', 0, 3 * B) && cache.covers('k', 4 * B, size))
  t.equal(cache.nextCachedStart('k', 10), 4 * B)
  cache.store('k', '/a.bin', size, 3 * B, content.subarray(3 * B, 4 * B))
  await until('one run', () => cache.covers('k', 0, size))
  t.equal(cache.sizeBytes, size, 'bytes counted once')
  const all = Buffer.alloc(size)
  t.equal(await cache.read('k', all, 0, 0, size), size)
  t.ok(all.equals(content), 'the whole file, byte for byte')
})

t.test('a window of a stream goes to disk past the page cache, its last partial page through it, and reads back checked', { skip: O_DIRECT === 0 ? 'no O_DIRECT here' : false }, async t => {
  const { cache, close, reopen } = await setup(t)
  const size = 9 * B + 100
  const window = pageAlignedBuffer(size)
  patternBuffer(size, 12).copy(window)
  const content = Buffer.from(window)
  cache.store('k', '/w', size, 0, window)
  t.notOk(cache.covers('k', 0, 1), 'not findable before the write completed')
  await until('the window', () => cache.covers('k', 0, size))
  t.equal(cache.directWriteBytes, size - (size % PAGE_BYTES), 'all whole pages direct')
  const back = Buffer.alloc(size)
  t.equal(await cache.read('k', back, 0, 0, size), size)
  t.ok(back.equals(content), 'byte for byte, the tail too')

  // A view into a window off a page, or an ordinary buffer: page cache.
  await cache.storeNow('v', '/v', 4 * B, B, pageAlignedBuffer(4 * B).subarray(100, 100 + 3 * B))
  await cache.storeNow('o', '/o', 4 * B, 0, patternBuffer(4 * B, 13))
  t.ok(cache.covers('v', B, 4 * B) && cache.covers('o', 0, 4 * B))
  t.equal(cache.directWriteBytes, size - (size % PAGE_BYTES), 'nothing more went direct')

  await close()
  const next = await reopen()
  t.teardown(next.close)
  const again = Buffer.alloc(size)
  t.equal(await next.cache.read('k', again, 0, 0, size), size, 'after a restart too')
  t.ok(again.equals(content))
})

/** A page-aligned window stored and read back, none of it direct. */
async function windowThroughPageCache(t: Test, cache: DiskCache, seed: number): Promise<void> {
  const window = pageAlignedBuffer(4 * B)
  patternBuffer(4 * B, seed).copy(window)
  await cache.storeNow('k', '/k', 4 * B, 0, window)
  t.equal(cache.directWriteBytes, 0)
  const back = Buffer.alloc(4 * B)
  t.equal(await cache.read('k', back, 0, 0, 4 * B), 4 * B)
  t.ok(back.equals(window))
}

t.test('on tmpfs (not a local disk file system) every window goes through the page cache', { skip: process.platform === 'linux' && existsSync('/dev/shm') ? false : 'no /dev/shm' }, async t => {
  const { cache } = await setup(t, 64 * B, { base: '/dev/shm' })
  await windowThroughPageCache(t, cache, 16)
})

t.test('directWrites: false writes every window through the page cache', async t => {
  const { cache } = await setup(t, 64 * B, { directWrites: false })
  await windowThroughPageCache(t, cache, 14)
})

t.test('a file system that refuses direct writes gets them through the page cache, and is told once', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-disk-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  let told = 0
  let tried = 0
  // As tmpfs before Linux 6.6 answers an open with O_DIRECT.
  class Refusing extends OpenCacheFiles {
    override directHandle(): Promise<FileHandle> {
      tried++
      return Promise.reject(Object.assign(new Error('Invalid argument'), { code: 'EINVAL' }))
    }
  }
  const files = new Refusing(4, true, () => told++)
  const entry = cachedFile(dir, { id: 1, key: 'k', path: '/k', size: 4 * B, bytes: 0, pinned: false })
  const handle = await files.handle(entry, [])
  t.teardown(() => files.close(entry))
  const window = pageAlignedBuffer(4 * B)
  patternBuffer(4 * B, 15).copy(window)
  await files.write(entry, handle, 0, window)
  await files.write(entry, handle, 0, window)
  t.equal(told, O_DIRECT === 0 ? 0 : 1, 'told once')
  t.equal(tried, O_DIRECT === 0 ? 0 : 1, 'not tried again')
  t.equal(files.directBytes, 0)
  const back = Buffer.alloc(4 * B)
  await handle.read(back, 0, back.length, 0)
  t.ok(back.equals(window), 'every byte written')
})

t.test('only whole blocks are kept', async t => {
  const { cache } = await setup(t)
  const size = 4 * B
  const content = patternBuffer(size, 4)
  // [B/2, 3B + B/2) holds blocks 1 and 2 whole, halves of 0 and 3.
  await cache.storeNow('k', '/k', size, B / 2, content.subarray(B / 2, 3 * B + B / 2))
  t.notOk(cache.covers('k', B / 2, B), 'the half block before is not kept')
  t.ok(cache.covers('k', B, 3 * B), 'the whole blocks are')
  t.equal(cache.cachedEnd('k', 3 * B), 3 * B, 'the half block after is not')
  await cache.storeNow('k', '/k', size, 10, content.subarray(10, 20))
  t.equal(cache.sizeBytes, 2 * B, 'a piece inside one block keeps nothing')
})

t.test('whole files are evicted least recently used first; big files are not kept', async t => {
  const { cache, folder } = await setup(t, 8 * B)
  const piece = patternBuffer(3 * B, 5)
  t.notOk(cache.accepts(4 * B + 1), 'over half the budget: not kept')
  cache.store('big', '/big', 5 * B, 0, patternBuffer(5 * B, 1))
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
  t.equal(cache.sizeBytes, 6 * B)
  // Real I/O: the file is unlinked in the background.
  await waitUntil('its file is removed from disk', async () => (await readdir(folder)).length === 2, 5_000, 2)
  t.equal((await readdir(folder)).length, 2, 'its file is removed from disk')
})

t.test('pinned files are kept whatever their size and never evicted', async t => {
  const { cache } = await setup(t, 8 * B)
  const big = patternBuffer(6 * B, 6)
  await cache.storeNow('pinned', '/offline/big', big.length, 0, big, { pinned: true })
  t.ok(cache.covers('pinned', 0, big.length), 'more than half the budget, kept because pinned')
  const piece = patternBuffer(3 * B, 7)
  await cache.storeNow('a', '/a', piece.length, 0, piece)
  await cache.storeNow('b', '/b', piece.length, 0, piece)
  t.ok(cache.covers('pinned', 0, big.length), 'the pinned file stays while others come and go')
  t.ok(cache.covers('b', 0, piece.length), 'the newest unpinned file fits beside it')
  t.notOk(cache.covers('a', 0, 1), 'the older unpinned one made room')
  t.same(
    cache.pinnedFiles().map(f => f.path),
    ['/offline/big'],
  )
})

t.test('a new version of a file replaces the old one', async t => {
  const { cache } = await setup(t)
  await cache.storeNow('v1', '/doc', B, 0, patternBuffer(B, 1))
  await cache.storeNow('v2', '/doc', B, 0, patternBuffer(B, 2))
  t.notOk(cache.covers('v1', 0, 1), 'the old version is gone')
  t.equal(cache.sizeBytes, B)
})

t.test('content survives a restart; files the index does not know are removed', async t => {
  const { cache, close, folder, reopen } = await setup(t)
  const content = patternBuffer(3 * B + 7, 8)
  await cache.storeNow('k', '/k', content.length, 0, content)
  await writeFile(join(folder, '999'), 'left by a crash, never indexed')
  await writeFile(join(folder, 'junk'), 'not ours')
  await close()

  const next = await reopen()
  t.teardown(next.close)
  t.equal(next.cache.sizeBytes, content.length, 'the byte count comes back')
  const back = Buffer.alloc(content.length)
  t.equal(await next.cache.read('k', back, 0, 0, content.length), content.length)
  t.ok(back.equals(content), 'the bytes come back')
  t.same((await readdir(folder)).sort(), ['1'], 'unknown files removed')
})

t.test('a block whose bytes changed on disk is a miss, never wrong bytes', async t => {
  const { cache, folder } = await setup(t)
  const content = patternBuffer(4 * B, 9)
  await cache.storeNow('k', '/k', content.length, 0, content)
  // Flip bytes in block 2, as a failing disk (or a person) might.
  const fh = await open(join(folder, '1'), 'r+')
  await fh.write(Buffer.from([0xff ^ content[2 * B + 5]!]), 0, 1, 2 * B + 5)
  await fh.close()

  const buf = Buffer.alloc(content.length)
  t.equal(await cache.read('k', buf, 0, 0, content.length), 2 * B, 'the blocks before it are served')
  t.ok(buf.subarray(0, 2 * B).equals(content.subarray(0, 2 * B)))
  t.equal(cache.checksumFailures, 1, 'counted')
  t.notOk(cache.covers('k', 2 * B, 2 * B + 1), 'the bad block is no longer cached')
  t.equal(await cache.read('k', buf, 0, 2 * B + 100, 3 * B), 0, 'a read inside it finds nothing')
  t.equal(await cache.read('k', buf, 0, 3 * B + 1, 4 * B), B - 1, 'a later block still serves (unaligned read)')
  t.ok(buf.subarray(0, B - 1).equals(content.subarray(3 * B + 1)))
  await cache.storeNow('k', '/k', content.length, 2 * B, content.subarray(2 * B, 3 * B))
  t.equal(await cache.read('k', buf, 0, 0, content.length), content.length, 'fetched again, whole')
  t.ok(buf.equals(content))
})

t.test('a file cut short on disk is a miss', async t => {
  const { cache, folder } = await setup(t)
  const content = patternBuffer(3 * B, 10)
  await cache.storeNow('k', '/k', content.length, 0, content)
  const fh = await open(join(folder, '1'), 'r+')
  await fh.truncate(B + 10)
  await fh.close()
  const buf = Buffer.alloc(content.length)
  t.equal(await cache.read('k', buf, 0, 0, content.length), B)
  t.equal(cache.checksumFailures, 1)
})

t.test('dropPath and clear forget content', async t => {
  const { cache } = await setup(t)
  const data = patternBuffer(B, 2)
  cache.store('x1', '/dir/x', data.length, 0, data)
  cache.store('y1', '/dir/sub/y', data.length, 0, data)
  cache.store('z1', '/dirz', data.length, 0, data)
  await until('all three', () => ['x1', 'y1', 'z1'].every(k => cache.covers(k, 0, data.length)))
  cache.dropPath('/dir')
  t.notOk(cache.covers('x1', 0, 1))
  t.notOk(cache.covers('y1', 0, 1))
  t.ok(cache.covers('z1', 0, data.length), 'a sibling whose name starts the same stays')
  t.equal(cache.sizeBytes, B)
  await cache.storeNow('p', '/pinned', data.length, 0, data, { pinned: true })
  cache.clear()
  t.equal(cache.sizeBytes, 0, 'pinned content too')
  t.notOk(cache.covers('p', 0, 1))
})

t.test('an unusable folder means no disk cache, not a failed mount', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-disk-cache-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'file'), 'x')
  const store = MountStore.inMemory(join(dir, 'file', 'cache'), silentLogger)
  t.teardown(() => store.close())
  const cache = new DiskCache({ folder: store.cacheFolder, maxBytes: 64 * B, logger: silentLogger, index: store.content })
  await cache.ready
  t.notOk(cache.accepts(10), 'keeps nothing')
  cache.store('k', '/k', 10, 0, Buffer.alloc(10))
  t.equal(await cache.read('k', Buffer.alloc(10), 0, 0, 10), 0)
})
