// The metadata cache with the mount's store behind it: listings outlive the
// memory LRU and the mount, a stored tree is shown at once and listed again
// behind, and nothing stored is trusted over the bridge when it should not be.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { FsError } from '../../../src/errors.js'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { MetadataCache } from '../../../src/vfs/cache/metadata-cache.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { FakeRemote } from '../../helpers/fake-remote.js'
import { ManualTime, settleUntil } from '../../helpers/manual-time.js'

const DAY = 24 * 3600 * 1000

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-meta-store-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const remote = new FakeRemote()
  remote.addFile('/a/one.txt', '1')
  remote.addFile('/a/two.txt', '22')
  remote.addFile('/b/three.txt', '333')
  const clock = new ManualTime()
  let store: MountStore | null = null
  /** A new mount: a new cache (empty memory) over the same store file. */
  const mount = (maxEntries = 1000) => {
    store?.close()
    store = MountStore.open(dir, 'src', silentLogger)
    const gate = new BridgeGate()
    const cache = new MetadataCache({ remote, gate, clock, logger: silentLogger, ttlMs: 60_000, negativeTtlMs: 30_000, maxEntries, store: store.listings })
    return { cache, gate }
  }
  t.teardown(() => store?.close())
  return { remote, clock, mount }
}

const names = async (p: Promise<{ names: string[] }>) => (await p).names.slice().sort()
/** Waits for a listing requested behind the caller to be in memory (no timer: the fake remote answers on promises). */
const listedBehind = (cache: MetadataCache, folder: string, has: (names: string[]) => boolean) =>
  settleUntil(`${folder} listed behind`, () => { const l = cache.peekListing(folder); return !!l && has(l.names) })

t.test('a listing the memory let go of comes back from the store without a request', async t => {
  const { remote, mount } = await setup(t)
  const { cache } = mount(4)
  await cache.listFolder('/a')
  await cache.listFolder('/b') // 3 + 2 entries: /a is pushed out of the 4-entry memory
  t.equal(cache.peekListing('/a'), undefined, 'not in memory')
  t.same(await names(cache.listFolder('/a')), ['one.txt', 'two.txt'])
  t.equal(remote.calls.list, 2, 'no request')
})

t.test('a new mount shows the stored tree at once and lists it again behind', async t => {
  const { remote, clock, mount } = await setup(t)
  const first = mount()
  await first.cache.listFolder('/a')
  remote.addFile('/a/new.txt', 'added while the daemon was stopped')
  await clock.advance(3600_000)
  const { cache } = mount()
  const before = remote.calls.list
  t.same(await names(cache.listFolder('/a')), ['one.txt', 'two.txt'], 'the stored listing, at once')
  t.equal(remote.calls.list, before + 1, 'and a request behind it')
  await listedBehind(cache, '/a', names => names.includes('new.txt'))
  t.same(await names(cache.listFolder('/a')), ['new.txt', 'one.txt', 'two.txt'], 'the next look shows the server')
  t.equal(remote.calls.list, before + 1)
  t.equal((await cache.lookup('/a/new.txt'))?.size, 34)
  t.equal(cache.stats().storedTreeAtMs, clock.now(), 'the tree is as of now')
})

t.test('with the bridge down the stored tree is shown whatever its age; without a store nothing is', async t => {
  const { remote, clock, mount } = await setup(t)
  await mount().cache.listFolder('/a')
  const fetchedAt = clock.now()
  await clock.advance(30 * DAY)
  const { cache, gate } = mount()
  gate.setAvailable(false)
  t.same(await names(cache.listFolder('/a')), ['one.txt', 'two.txt'])
  t.equal((await cache.lookup('/a/two.txt'))?.size, 2)
  await t.rejects(cache.listFolder('/b'), new FsError('EHOSTDOWN', ''), 'a folder never listed fails at once')
  t.equal(cache.stats().storedTreeAtMs, fetchedAt, 'status can tell how old the tree is')
  t.equal(remote.calls.list, 1)
})

t.test('a stored listing older than the bound waits for the bridge', async t => {
  const { remote, clock, mount } = await setup(t)
  await mount().cache.listFolder('/a')
  remote.addFile('/a/new.txt', 'x')
  await clock.advance(8 * DAY)
  const { cache } = mount()
  t.same(await names(cache.listFolder('/a')), ['new.txt', 'one.txt', 'two.txt'], 'listed before it is shown')
})

t.test('a folder changed through the mount waits for its new listing, but is shown while the bridge is down', async t => {
  const { clock, mount } = await setup(t)
  const first = mount()
  await first.cache.listFolder('/a')
  first.cache.invalidate('/a/one.txt') // as a write through the mount does
  await clock.advance(1000)
  const down = mount()
  down.gate.setAvailable(false)
  t.same(await names(down.cache.listFolder('/a')), ['one.txt', 'two.txt'], 'shown while the bridge is down')
  const { cache, gate } = mount()
  t.ok(gate.available)
  t.ok(cache.needsListing('/a'), 'prefetch sees it needs listing')
  const listed = cache.listFolder('/a')
  t.equal(cache.needsListing('/a'), false, 'the request is in flight')
  await listed
  t.equal(cache.needsListing('/a'), false, 'and then fresh')
})

t.test('confirm waits for a stored folder to be listed again before a file is opened', async t => {
  const { remote, clock, mount } = await setup(t)
  await mount().cache.listFolder('/a')
  remote.addFile('/a/one.txt', 'changed on the server')
  await clock.advance(3600_000)
  const { cache, gate } = mount()
  t.equal((await cache.lookup('/a/one.txt'))?.size, 1, 'browsing shows the stored size')
  await cache.confirm('/a')
  t.equal((await cache.lookup('/a/one.txt'))?.size, 21, 'after confirm, the server size')
  const calls = remote.calls.list
  await cache.confirm('/a')
  t.equal(remote.calls.list, calls, 'a fresh listing is not asked again')
  gate.setAvailable(false)
  await clock.advance(3600_000)
  await cache.confirm('/a')
  t.equal(remote.calls.list, calls, 'nothing is asked while the bridge is down')
})

t.test('a folder removed on the server while the mount was away is forgotten', async t => {
  const { remote, clock, mount } = await setup(t)
  const first = mount()
  await first.cache.listFolder('/')
  await first.cache.listFolder('/b')
  for (const p of ['/b', '/b/three.txt']) remote.nodes.delete(p)
  await clock.advance(3600_000)
  const { cache } = mount()
  t.same(await names(cache.listFolder('/')), ['a', 'b'], 'shown as it was, at once')
  await listedBehind(cache, '/', names => !names.includes('b'))
  t.same(await names(cache.listFolder('/')), ['a'], 'then as it is')
  await t.rejects(cache.listFolder('/b'), { code: 'ENOENT' })
  const again = mount()
  again.gate.setAvailable(false)
  await t.rejects(again.cache.listFolder('/b'), { code: 'EHOSTDOWN' }, 'not in the store any more')
})

t.test('clear forgets every listing, stored ones too', async t => {
  const { mount } = await setup(t)
  const { cache } = mount()
  await cache.listFolder('/a')
  cache.clear()
  const { cache: next, gate } = mount()
  gate.setAvailable(false)
  await t.rejects(next.listFolder('/a'), { code: 'EHOSTDOWN' })
  t.equal(next.stats().storedTreeAtMs, null)
})
