// When the mounts go quiet the chunk cache lets go of what is safely on
// disk (src/daemon/idle-reducer.ts asks, through MegaFs.releaseMemory), and
// keeps what exists only in memory; small segments on disk are bounded
// while reads go on too.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { ChunkCache, type Segment } from '../../../src/vfs/cache/chunk-cache.js'
import { DiskCache } from '../../../src/vfs/cache/disk-cache.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { waitUntil } from '../../helpers/wait-until.js'

const MiB = 1024 * 1024

async function diskCache(t: Test, maxBytes: number): Promise<DiskCache> {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-chunk-release-'))
  const store = MountStore.open(dir, 'test-source', silentLogger)
  const disk = new DiskCache({ folder: store.cacheFolder, maxBytes, logger: silentLogger, index: store.content })
  await disk.ready
  t.teardown(async () => {
    await disk.close()
    store.close()
    await rm(dir, { recursive: true, force: true })
  })
  return disk
}

/** A completed segment of a file of `size` bytes, in a window of the cache's pool. */
async function fetched(cache: ChunkCache, path: string, size: number, offset: number, length: number): Promise<Segment> {
  const window = cache.windows.take(length)
  window.fill(7)
  const segment: Segment = { offset, length, data: Promise.resolve(window) }
  cache.add(`${path}\0${size}\0\0`, segment)
  await segment.data
  await new Promise(r => setImmediate(r))
  return segment
}

t.test('segments on disk are dropped and the free windows let go; what is only in memory stays', async t => {
  const disk = await diskCache(t, 64 * MiB)
  const cache = new ChunkCache(32 * MiB, disk)
  await fetched(cache, '/on-disk.bin', 4 * MiB, 0, 2 * MiB)
  await fetched(cache, '/on-disk.bin', 4 * MiB, 2 * MiB, 2 * MiB)
  // Larger than half the disk cache: never kept there.
  await fetched(cache, '/too-big.bin', 40 * MiB, 0, 1 * MiB)
  await waitUntil('the disk writes', () => disk.pendingBytes === 0, 10_000, 5)
  t.equal(cache.sizeBytes, 5 * MiB, 'all three held in memory before')
  const spare = cache.windows.take(512 * 1024)
  cache.windows.release(spare)
  t.equal(cache.windows.freeBytes, 512 * 1024)

  cache.releaseMemory()
  t.equal(cache.sizeBytes, 1 * MiB, 'only the segment that is not on disk stays')
  t.equal(cache.windows.freeBytes, 0, 'no free window kept')
  t.equal(cache.find(`/too-big.bin\0${40 * MiB}\0\0`, 0)?.offset, 0, 'the one only in memory is still found')
  t.equal(cache.find(`/on-disk.bin\0${4 * MiB}\0\0`, 0), undefined, 'the others are read from disk now')
  t.ok(disk.covers(`/on-disk.bin\0${4 * MiB}\0\0`, 0, 4 * MiB), 'where their bytes are')
})

t.test('without a disk cache nothing held is dropped, only free windows', async t => {
  const cache = new ChunkCache(32 * MiB, null)
  await fetched(cache, '/a.bin', 4 * MiB, 0, 2 * MiB)
  const spare = cache.windows.take(1 * MiB)
  cache.windows.release(spare)
  cache.releaseMemory()
  t.equal(cache.windows.freeBytes, 0)
  t.equal(cache.sizeBytes, 2 * MiB, 'the content stays: it is nowhere else')
  t.ok(cache.find(`/a.bin\0${4 * MiB}\0\0`, 0))
})

t.test('a segment whose disk write is still under way stays', async t => {
  const disk = await diskCache(t, 64 * MiB)
  const cache = new ChunkCache(32 * MiB, disk)
  await fetched(cache, '/b.bin', 4 * MiB, 0, 2 * MiB)
  // Released at once, before the write that add() started can have ended.
  cache.releaseMemory()
  t.equal(cache.sizeBytes, 2 * MiB)
  await waitUntil('the disk write', () => disk.pendingBytes === 0, 10_000, 5)
  cache.releaseMemory()
  t.equal(cache.sizeBytes, 0, 'dropped at the next quiet moment once on disk')
})

t.test('small segments on disk stay in memory only up to an eighth of the budget, the latest used kept', async t => {
  const disk = await diskCache(t, 256 * MiB)
  const cache = new ChunkCache(32 * MiB, disk)
  const key = (i: number) => `/small/f${i}\0${64 * 1024}\0\0`
  await fetched(cache, '/big.bin', 64 * MiB, 0, 2 * MiB) // a large window: not bound by this
  for (let i = 0; i < 200; i++) await fetched(cache, `/small/f${i}`, 64 * 1024, 0, 64 * 1024)
  await waitUntil('the disk writes', () => disk.pendingBytes === 0, 10_000, 5)
  await new Promise(r => setImmediate(r))
  t.equal(cache.sizeBytes, 2 * MiB + 4 * MiB, '200 small files (12.5 MiB) held 4 MiB; the large window stays')
  t.ok(cache.find(key(199), 0), 'the latest file is in memory')
  t.equal(cache.find(key(0), 0), undefined, 'the first one is read from disk')
  t.ok(disk.covers(key(0), 0, 64 * 1024), 'where it is')
  t.ok(cache.find(`/big.bin\0${64 * MiB}\0\0`, 0))
})

t.test('a small segment used again is kept over older ones', async t => {
  const disk = await diskCache(t, 256 * MiB)
  const cache = new ChunkCache(8 * MiB, disk) // 1 MiB of small segments on disk
  const key = (i: number) => `/small/f${i}\0${64 * 1024}\0\0`
  for (let i = 0; i < 16; i++) await fetched(cache, `/small/f${i}`, 64 * 1024, 0, 64 * 1024)
  await waitUntil('the disk writes', () => disk.pendingBytes === 0, 10_000, 5)
  await new Promise(r => setImmediate(r))
  t.ok(cache.find(key(0), 0), 'all 16 (1 MiB) in memory')
  for (let i = 16; i < 20; i++) await fetched(cache, `/small/f${i}`, 64 * 1024, 0, 64 * 1024)
  await waitUntil('the disk writes', () => disk.pendingBytes === 0, 10_000, 5)
  await new Promise(r => setImmediate(r))
  t.ok(cache.find(key(0), 0), 'the one read again stayed')
  t.equal(cache.find(key(1), 0), undefined, 'the oldest not read again went')
  t.equal(cache.sizeBytes, MiB)
})

t.test('without a disk cache small segments are kept to the whole budget', async t => {
  const cache = new ChunkCache(32 * MiB, null)
  for (let i = 0; i < 200; i++) await fetched(cache, `/small/f${i}`, 64 * 1024, 0, 64 * 1024)
  t.equal(cache.sizeBytes, 200 * 64 * 1024)
})
