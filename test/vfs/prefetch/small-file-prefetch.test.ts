import { constants as fsConstants } from 'node:fs'
import t from 'tap'
import type { CoreOptions } from '../../../src/vfs/core-options.js'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { patternBuffer, testOptions } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { HeldRemote, settle } from './prefetch-fakes.js'

const KiB = 1024
const MiB = 1024 * KiB

function setup(overrides: Partial<CoreOptions> = {}, readCacheMaxBytes?: number) {
  const remote = new HeldRemote()
  const clock = new ManualTime()
  const fs = new MegaFs({
    remote,
    options: testOptions({ prefetchFoldersAhead: 0, ...overrides, readCacheMaxBytes }),
    logger: silentLogger,
    time: clock,
    stateDir: '/nonexistent',
  })
  return { remote, clock, fs }
}

/** Files /d/f00.. of `size` bytes, added to the listing in `order`. */
function files(remote: HeldRemote, count: number, size = 4 * KiB, order?: number[]): string[] {
  const paths = Array.from({ length: count }, (_, i) => `/d/f${String(i).padStart(2, '0')}`)
  for (const i of order ?? paths.map((_, i) => i)) remote.inner.addFile(paths[i]!, patternBuffer(size, i + 1))
  return paths
}

async function cat(fs: MegaFs, path: string): Promise<Buffer> {
  const h = await fs.open(path, fsConstants.O_RDONLY)
  const buf = Buffer.alloc(2 * MiB)
  const n = await h.read(buf, buf.length, 0)
  await h.release()
  return buf.subarray(0, n)
}

t.test('one file read costs one request; the second in order fetches the next ones ahead', async t => {
  const { remote, fs } = setup()
  const paths = files(remote, 20)
  t.same(await cat(fs, paths[0]!), patternBuffer(4 * KiB, 1))
  await settle()
  t.same(remote.readPaths, [paths[0]], 'a single open: no prefetch')
  await cat(fs, paths[1]!)
  await settle()
  t.same(remote.readPaths, paths.slice(0, 10), 'the next 8 were fetched ahead')
  for (let i = 2; i < 20; i++) t.same(await cat(fs, paths[i]!), patternBuffer(4 * KiB, i + 1), paths[i])
  await settle()
  t.same([...remote.readPaths].sort(), paths, 'each file fetched exactly once')
  t.equal(fs.stats().prefetchedFiles, 18)
})

t.test('follows sorted order when the listing is not sorted (cat *)', async t => {
  const { remote, fs } = setup({ prefetchFilesAhead: 3 })
  const order = [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]
  const paths = files(remote, 10, 100, order)
  await cat(fs, paths[0]!)
  await cat(fs, paths[1]!)
  await settle()
  t.same(remote.readPaths, paths.slice(0, 5), 'f02 f03 f04 ahead, in name order')
})

t.test('follows listing order (cp -r, find)', async t => {
  const { remote, fs } = setup({ prefetchFilesAhead: 2 })
  const order = [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]
  const paths = files(remote, 10, 100, order)
  await cat(fs, paths[7]!)
  await cat(fs, paths[2]!)
  await settle()
  t.same(remote.readPaths, [7, 2, 9, 0].map(i => paths[i]))
})

t.test('a read out of order stops the prefetch; folders and large files are skipped', async t => {
  const { remote, fs } = setup({ prefetchFilesAhead: 2 })
  const paths = files(remote, 10, 100)
  remote.inner.addFile('/d/f02a', patternBuffer(2 * MiB)).addFolder('/d/f02b')
  await cat(fs, paths[0]!)
  await cat(fs, paths[1]!)
  await settle()
  t.same(remote.readPaths, paths.slice(0, 4), 'f02 f03, not the large file or the folder')
  await cat(fs, paths[9]!)
  await cat(fs, paths[5]!)
  await settle()
  t.same(remote.readPaths.slice(4), [paths[9], paths[5]], 'random order: nothing ahead')
})

t.test('bounded in bytes, and by a quarter of the content cache', async t => {
  const a = setup({ prefetchBytesAhead: 256 * KiB })
  const paths = files(a.remote, 10, 100 * KiB)
  await cat(a.fs, paths[0]!)
  await cat(a.fs, paths[1]!)
  await settle()
  t.equal(a.remote.readPaths.length, 4, '2 x 100 KiB fit in 256 KiB')

  const b = setup({}, 1 * MiB)
  files(b.remote, 10, 100 * KiB)
  await cat(b.fs, paths[0]!)
  await cat(b.fs, paths[1]!)
  await settle()
  t.equal(b.remote.readPaths.length, 4, '1 MiB cache: 256 KiB ahead')

  const c = setup({ prefetchFilesAhead: 0 })
  files(c.remote, 10)
  await cat(c.fs, paths[0]!)
  await cat(c.fs, paths[1]!)
  await settle()
  t.equal(c.remote.readPaths.length, 2, 'off')
})

t.test('at most the prefetch slots in flight, and the reader goes first', async t => {
  const { remote, fs } = setup({ prefetchConcurrentRequests: 3 })
  const paths = files(remote, 20)
  await cat(fs, paths[0]!)
  remote.holding = true
  const second = cat(fs, paths[1]!)
  await settle()
  t.equal(remote.readPaths[1], paths[1], "the reader's own file is asked for first")
  t.equal(remote.heldCount, 1 + 3)
  while (remote.heldCount > 0) {
    remote.release()
    await settle()
  }
  await second
  t.equal(remote.maxInFlight, 4)
  t.equal(remote.readPaths.length, 10)
})

t.test('invalidation drops prefetched content, also content still downloading', async t => {
  const { remote, fs } = setup({ prefetchFilesAhead: 4 })
  const paths = files(remote, 10)
  await cat(fs, paths[0]!)
  await cat(fs, paths[1]!)
  await settle()
  t.equal(remote.readPaths.length, 6)
  fs.invalidate('/d')
  await cat(fs, paths[2]!)
  await settle()
  t.equal(remote.readPaths.length, 7, 'read again, and no pattern yet after the refresh')

  remote.holding = true
  const fourth = cat(fs, paths[3]!)
  await settle()
  t.equal(remote.heldCount, 5, 'f03 and four ahead held')
  fs.invalidate('/d')
  remote.holding = false
  remote.release()
  await fourth
  await settle()
  const sent = remote.readPaths.length
  await cat(fs, paths[4]!)
  t.equal(remote.readPaths.length, sent + 1, 'what was downloading during the refresh was not kept')
})

t.test('nothing is prefetched while the bridge is down; a failed prefetch stops it', async t => {
  const { remote, fs } = setup({ prefetchFilesAhead: 2 })
  const paths = files(remote, 10)
  await fs.readdir('/d')
  fs.setBridgeAvailable(false)
  await t.rejects(cat(fs, paths[0]!), { code: 'EHOSTDOWN' })
  fs.setBridgeAvailable(true)
  await cat(fs, paths[0]!)
  remote.inner.failWith('read', 'busy')
  await t.rejects(cat(fs, paths[1]!), { code: 'EAGAIN' })
  await settle()
  remote.inner.failWith('read', null)
  const sent = remote.readPaths.length
  t.equal(sent, 2 + 2, 'two ahead were tried and failed')
  t.same(await cat(fs, paths[2]!), patternBuffer(4 * KiB, 3), 'a failure is not cached')
  await settle()
  t.equal(remote.readPaths.length, sent + 1, 'and prefetch stopped for this folder')
})

t.test('no prefetch while downloads in flight fill the content budget', async t => {
  const { remote, fs } = setup({}, 1 * MiB)
  const paths = files(remote, 10, 50 * KiB)
  remote.inner.addFile('/other/big', patternBuffer(950 * KiB))
  await cat(fs, paths[0]!)
  await fs.readdir('/other')
  remote.holding = true
  const other = cat(fs, '/other/big')
  const second = cat(fs, paths[1]!)
  await settle()
  t.same(remote.readPaths.slice(1), ['/other/big', paths[1]], '1000 KiB in flight: no room for 50 KiB more in 1 MiB')
  remote.holding = false
  remote.release()
  await Promise.all([other, second])
  await cat(fs, paths[2]!)
  await settle()
  t.ok(remote.readPaths.includes(paths[3]!), 'prefetch goes on once there is room')
})
