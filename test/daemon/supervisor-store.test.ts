// A mount whose store holds a tree starts at once, degraded, without the
// bridge or MEGAcmd, and becomes mounted at the first probe that answers.
import path from 'node:path'
import t from 'tap'
import { PROFILE_DEFAULTS, type Profile } from '../../src/config/types.js'
import { silentLogger } from '../../src/log.js'
import { ManualTime } from '../helpers/manual-time.js'
import { MountSupervisor } from '../../src/daemon/supervisor.js'
import { MountStore } from '../../src/vfs/store/mount-store.js'
import { FakeBackend } from './fake-backend.js'

const URL = 'http://127.0.0.1:4443/f1Y2lIrD/Photos'

function setup(t: { testdir(): string; teardown(fn: () => unknown): void }, overrides: Partial<Profile> = {}) {
  const dir = t.testdir()
  const profile: Profile = { ...PROFILE_DEFAULTS, name: 'photos', url: URL, megaPath: null, mountpoint: path.join(dir, 'mnt'), requestTimeoutMs: 5_000, ...overrides }
  const backend = new FakeBackend()
  backend.storeDir = path.join(dir, 'stores')
  const time = new ManualTime()
  const sup = new MountSupervisor({ profile, backend, time, logger: silentLogger, stateDir: dir, healthIntervalMs: () => 10_000, retryInitialMs: 1_000, retryMaxMs: 8_000 })
  t.teardown(() => sup.stop())
  /** What an earlier run of the daemon left in the store. */
  const storeTree = (url: string | null) => {
    const store = backend.openStore(profile)!
    store.listings!.put({ path: '/', self: { name: '', isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null }, entries: [], duplicateNames: [], fetchedAtMs: 1_000, stale: false })
    store.url = url
    store.close()
  }
  return { profile, backend, time, sup, storeTree }
}

t.test('a stored tree mounts at once, before the bridge answers: degraded while it does not, mounted when it does', async t => {
  const { sup, backend, time, storeTree, profile } = setup(t)
  storeTree(URL)
  const bridge = backend.bridge(URL)
  bridge.mode = 'down'
  await sup.start()
  await sup.idle()
  t.equal(sup.state, 'degraded')
  t.equal(backend.mounted.get(profile.mountpoint), 'photos', 'mounted')
  t.same(backend.fsByName.get('photos')!.availability, [true, false], 'mounted before the probe, which found the bridge down')
  t.match(sup.status().lastError, { message: /refuses connections/ })
  bridge.mode = 'up'
  await time.advance(10_000) // one health interval
  await sup.idle()
  t.equal(sup.state, 'mounted')
  t.equal(backend.fsByName.get('photos')!.available, true)
})

t.test('with the bridge up, a stored tree is mounted first and confirmed by the first probe', async t => {
  const { sup, backend, storeTree } = setup(t)
  storeTree(URL)
  await sup.start()
  await sup.idle()
  t.equal(sup.state, 'mounted')
  t.same(backend.fsByName.get('photos')!.availability, [true, true])
})

t.test('a megaPath profile starts from the URL that served it last, without asking MEGAcmd', async t => {
  const { sup, backend, storeTree } = setup(t, { url: null, megaPath: '/Photos' })
  storeTree(URL)
  backend.bridge(URL).mode = 'down'
  await sup.start()
  await sup.idle()
  t.equal(sup.state, 'degraded', 'resolveUrl would have failed (MEGAcmd is not there)')
  t.equal(sup.status().url, URL)
})

t.test('without a stored tree, or without a URL for it, a mount waits for the bridge as before', async t => {
  const { sup, backend } = setup(t)
  backend.bridge(URL).mode = 'down'
  await sup.start()
  t.equal(sup.state, 'waiting')
  t.equal(backend.mounted.size, 0)

  const other = setup(t, { url: null, megaPath: '/Photos' })
  other.storeTree(null)
  await other.sup.start()
  t.equal(other.sup.state, 'waiting', 'no URL known for a megaPath profile')
})

t.test('the URL that answers is remembered for the next start', async t => {
  const { sup, backend, profile } = setup(t)
  await sup.start()
  await sup.stop()
  const store = backend.openStore(profile)!
  t.teardown(() => store.close())
  t.equal(store.url, URL)
})

t.test('the store is closed when the mount stops, and opened again at the next start', async t => {
  const { sup, storeTree, backend, profile } = setup(t)
  storeTree(URL)
  await sup.start()
  await sup.idle()
  await sup.stop()
  t.equal(sup.state, 'unmounted')
  // A closed store can be opened and written by someone else (mountctl cache clear on a stopped mount).
  const store = MountStore.open(path.join(backend.storeDir!, profile.name), URL, silentLogger)
  store.listings!.clear()
  store.close()
  backend.bridge(URL).mode = 'down'
  await sup.start()
  t.equal(sup.state, 'waiting', 'nothing stored any more')
})

t.test('asked to let go of memory (the daemon went quiet), the mount passes it to its core', async t => {
  const { sup, backend } = setup(t)
  sup.releaseMemory()
  await sup.start()
  await sup.idle()
  t.equal(sup.state, 'mounted')
  sup.releaseMemory()
  t.equal(backend.fsByName.get('photos')!.releasedMemory, 1, 'the core lets go of its content copies on disk and the free read windows')
})
