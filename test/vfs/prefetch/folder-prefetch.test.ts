import t from 'tap'
import type { Profile } from '../../../src/config/types.js'
import { silentLogger } from '../../../src/log.js'
import { PAUSE_AFTER_ERROR_MS } from '../../../src/vfs/prefetch/folder-prefetch.js'
import { MegaFs, prefetchSlotsFor } from '../../../src/vfs/mega-fs.js'
import { testOptions } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { HeldRemote, settle } from './prefetch-fakes.js'

function setup(overrides: Partial<Profile> = {}) {
  const remote = new HeldRemote()
  const clock = new ManualTime()
  const fs = new MegaFs({ remote, options: testOptions(overrides), logger: silentLogger, time: clock, stateDir: '/nonexistent' })
  return { remote, clock, fs }
}

/** /tree with `folders` subfolders d00.., each holding one file and one subfolder. */
function tree(remote: HeldRemote, folders: number): string[] {
  const paths: string[] = []
  for (let i = 0; i < folders; i++) {
    const d = `/tree/d${String(i).padStart(2, '0')}`
    remote.inner.addFile(`${d}/f.txt`, 'x').addFolder(`${d}/sub`)
    paths.push(d)
  }
  return paths
}

t.test('listing a folder lists its subfolders ahead, first child first, then the walk costs nothing', async t => {
  const { remote, fs } = setup()
  const dirs = tree(remote, 10)
  remote.inner.addFile('/tree/plain.txt', 'y')
  await fs.readdir('/tree')
  await settle()
  t.same(remote.listed.slice(0, 2), ['/tree', '/tree/d00'], 'the first child is fetched first')
  t.same([...remote.listed].sort(), ['/tree', ...dirs], 'every subfolder once, files and grandchildren not')
  for (const d of dirs) t.same((await fs.readdir(d)).names.sort(), ['f.txt', 'sub'])
  t.equal(remote.listed.filter(p => dirs.includes(p)).length, 10, 'no subfolder listed twice')
  t.equal(fs.stats().prefetchedFolders, 10)
})

t.test('never more than the prefetch bound in flight; the user listing joins a prefetch in flight', async t => {
  const { remote, fs } = setup({ prefetchConcurrentRequests: 3 })
  const dirs = tree(remote, 10)
  await fs.readdir('/tree')
  remote.holding = true
  const before = remote.listed.length
  // The user lists the first child while its prefetch is held.
  const user = fs.readdir(dirs[0]!)
  await settle()
  t.equal(remote.heldCount, 3, 'three prefetches in flight, the rest wait')
  t.equal(remote.listed.length - before, 3, 'the user listing sent nothing of its own')
  while (remote.heldCount > 0) {
    t.ok(remote.heldCount <= 3)
    remote.release()
    await settle()
  }
  t.same((await user).names.sort(), ['f.txt', 'sub'])
  t.equal(remote.maxInFlight, 3)
  t.equal(remote.listed.filter(p => p === dirs[0]).length, 1)
})

t.test('prefetch leaves two of the remote slots to the user', async t => {
  t.equal(prefetchSlotsFor(testOptions({ maxConcurrentRequests: 8, prefetchConcurrentRequests: 20 })), 6)
  t.equal(prefetchSlotsFor(testOptions({ maxConcurrentRequests: 8, prefetchConcurrentRequests: 4 })), 4)
  t.equal(prefetchSlotsFor(testOptions({ maxConcurrentRequests: 2, prefetchConcurrentRequests: 4 })), 0)
  // With prefetch held at its bound, a user's listing still goes out at once.
  const { remote, fs } = setup({ maxConcurrentRequests: 4, prefetchConcurrentRequests: 4 })
  tree(remote, 6)
  remote.inner.addFolder('/other')
  await fs.readdir('/tree')
  remote.holding = true
  await settle()
  t.equal(remote.heldCount, 2, 'only 4 - 2 prefetches')
  const user = fs.readdir('/other')
  await settle()
  t.equal(remote.heldCount, 3, 'the user request is in flight beside them')
  remote.holding = false
  remote.release()
  t.same((await user).names, [])
})

t.test('only the children of folders the user lists: prefetch descends as the user does', async t => {
  const { remote, fs } = setup()
  remote.inner.addFolder('/a/b/c/d')
  await fs.readdir('/')
  await settle()
  t.same(remote.listed, ['/', '/a'])
  await fs.readdir('/a')
  await settle()
  t.same(remote.listed, ['/', '/a', '/a/b'])
})

t.test('folders already cached are not listed again', async t => {
  const { remote, fs } = setup()
  const dirs = tree(remote, 3)
  await fs.readdir(dirs[1]!)
  await fs.readdir('/tree')
  await settle()
  t.equal(remote.listed.filter(p => p === dirs[1]).length, 1)
})

t.test('bounded by prefetchFoldersAhead and by a quarter of cacheMaxEntries', async t => {
  const a = setup({ prefetchFoldersAhead: 3 })
  tree(a.remote, 10)
  await a.fs.readdir('/tree')
  await settle()
  t.same(a.remote.listed, ['/tree', '/tree/d00', '/tree/d01', '/tree/d02'])

  const b = setup({ cacheMaxEntries: 8 })
  tree(b.remote, 10)
  await b.fs.readdir('/tree')
  await settle()
  t.equal(b.remote.listed.length, 1 + 2, 'at most 8 / 4 folders ahead')

  const c = setup({ prefetchFoldersAhead: 0 })
  tree(c.remote, 3)
  await c.fs.readdir('/tree')
  await settle()
  t.same(c.remote.listed, ['/tree'], 'off')

  const d = setup({ prefetchConcurrentRequests: 0 })
  tree(d.remote, 3)
  await d.fs.readdir('/tree')
  await settle()
  t.same(d.remote.listed, ['/tree'], 'off')
})

t.test('a newer listing goes first and the oldest waiting folders fall off', async t => {
  const { remote, fs } = setup({ prefetchConcurrentRequests: 1, prefetchFoldersAhead: 4 })
  for (const top of ['a', 'b']) for (let i = 0; i < 4; i++) remote.inner.addFolder(`/${top}/${i}`)
  await fs.readdir('/')
  remote.holding = true
  await fs.readdir('/a').catch(() => {})
  // '/a' itself was being prefetched: release it, then the user's '/a' returns.
  remote.release()
  await settle()
  remote.holding = false
  remote.release()
  await settle()
  t.same(remote.listed, ['/', '/a', '/a/0', '/a/1', '/a/2', '/a/3'], "/a's children replace /b, which fell off")
})

t.test('stops while the bridge is down and aborts what is in flight', async t => {
  const { remote, fs } = setup({ prefetchConcurrentRequests: 2 })
  const dirs = tree(remote, 6)
  remote.holding = true
  const listing = fs.readdir('/tree')
  remote.release()
  await listing
  await settle()
  t.equal(remote.heldCount, 2)
  fs.setBridgeAvailable(false)
  await settle()
  t.equal(remote.heldCount, 2, 'held calls were aborted (their waits still counted)')
  t.equal(remote.inFlight, 0)
  t.equal(remote.listed.length, 3, 'nothing more was sent')
  fs.setBridgeAvailable(true)
  remote.holding = false
  await settle()
  t.equal(remote.listed.length, 3, 'the queue was dropped')
  // Cached listings are served, the next user listing prefetches again.
  await fs.readdir('/tree')
  await settle()
  t.same([...new Set(remote.listed)].sort(), ['/tree', ...dirs])
})

t.test('a failed prefetch pauses prefetch for a while', async t => {
  const { remote, fs, clock } = setup()
  const dirs = tree(remote, 4)
  remote.inner.addFolder('/more/x')
  await fs.readdir('/tree') // fetched before the failure starts
  remote.inner.failWith('list', 'forbidden')
  await settle()
  const sent = remote.listed.length
  remote.inner.failWith('list', null)
  await fs.readdir('/more')
  await settle()
  t.equal(remote.listed.length, sent + 1, 'only the user listing')
  await clock.advance(PAUSE_AFTER_ERROR_MS)
  fs.invalidate('/more')
  await fs.readdir('/more')
  await settle()
  t.same(remote.listed.slice(sent + 1), ['/more', '/more/x'], 'prefetch resumed')
  t.ok(dirs.length > 0)
})

t.test("while the user walks, the next sibling's subfolders follow the folder's own", async t => {
  const tree = (remote: HeldRemote) => {
    for (const p of ['/t/a/x', '/t/a/y', '/t/b/p', '/t/b/q', '/t/c/r']) remote.inner.addFolder(p)
  }
  const look = setup({ prefetchConcurrentRequests: 1 })
  tree(look.remote)
  await look.fs.readdir('/t/a')
  await settle()
  t.same(look.remote.listed, ['/t/a', '/t/a/x', '/t/a/y'], 'a single look: only its children')

  const walk = setup({ prefetchConcurrentRequests: 1 })
  tree(walk.remote)
  await walk.fs.readdir('/t')
  await settle()
  await walk.fs.readdir('/t/a')
  await settle()
  t.same(walk.remote.listed, ['/t', '/t/a', '/t/b', '/t/c', '/t/a/x', '/t/a/y', '/t/b/p', '/t/b/q'], 'then b (next after a), not c')
})

t.test('listings fetched ahead and not used stop prefetch at a quarter of cacheMaxEntries entries', async t => {
  const { remote, fs, clock } = setup({ prefetchConcurrentRequests: 1, cacheMaxEntries: 400 })
  // 10 folders of 30 files: 31 entries each, the bound is 100.
  for (let i = 0; i < 10; i++) for (let f = 0; f < 30; f++) remote.inner.addFile(`/big/d${i}/f${f}`, 'x')
  await fs.readdir('/big')
  await settle()
  t.same(remote.listed, ['/big', '/big/d0', '/big/d1', '/big/d2', '/big/d3'], 'stops once 4 x 31 >= 100')
  await fs.readdir('/big/d0')
  await settle()
  t.same(remote.listed.slice(5), ['/big/d4'], 'the user used one: 3 x 31 < 100, one more')
  await settle()
  t.equal(remote.listed.length, 6, 'and no further')
  // Unused listings that expire no longer count.
  await clock.advance(testOptions().cacheTtlMs)
  await fs.readdir('/big')
  await settle()
  t.ok(remote.listed.length > 7, 'prefetch resumed after the unused listings expired')
})
