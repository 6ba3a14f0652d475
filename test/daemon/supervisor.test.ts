import path from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { PROFILE_DEFAULTS, type Profile } from '../../src/config/types.js'
import { silentLogger } from '../../src/log.js'
import { ManualTime } from '../helpers/manual-time.js'
import { MountSupervisor } from '../../src/daemon/supervisor.js'
import { FakeBackend } from './fake-backend.js'

const URL = 'http://127.0.0.1:4443/f1Y2lIrD/Photos'

function setup(t: { testdir(): string }, overrides: Partial<Profile> = {}) {
  const dir = t.testdir()
  const profile: Profile = { ...PROFILE_DEFAULTS, name: 'photos', url: URL, megaPath: null, mountpoint: path.join(dir, 'mnt'), requestTimeoutMs: 5_000, ...overrides }
  const backend = new FakeBackend()
  const time = new ManualTime()
  const sup = new MountSupervisor({ profile, backend, time, logger: silentLogger, stateDir: dir, healthIntervalMs: () => 10_000, retryInitialMs: 1_000, retryMaxMs: 8_000 })
  return { profile, backend, time, sup, bridge: backend.bridge(URL) }
}

t.test('mounts at once when the bridge answers', async t => {
  const { sup, backend, profile } = setup(t)
  await sup.start()
  t.equal(sup.state, 'mounted')
  t.equal(backend.mounted.get(profile.mountpoint), 'photos')
  t.same(backend.staleCleaned, [profile.mountpoint], 'a stale mount is cleaned first')
  const s = sup.status()
  t.equal(s.bridge.reachable, true)
  t.equal(s.cache.entries, 12)
  t.equal(s.cache.hitRate, 0.75)
  t.equal(s.duplicateNames, 1)
  t.equal(s.lastError, null)
  await sup.stop()
  t.equal(sup.state, 'unmounted')
  t.equal(backend.mounted.size, 0)
  t.ok(backend.fsByName.get('photos')!.closed)
})

t.test('waiting -> mounted when the bridge appears, with capped backoff', async t => {
  const { sup, bridge, time, backend } = setup(t)
  bridge.mode = 'down'
  await sup.start()
  t.equal(sup.state, 'waiting')
  t.match(sup.status().lastError, { message: /refuses connections/, hint: /mega-webdav/ })
  t.equal(bridge.calls, 1)
  await time.advance(1_000)
  t.equal(bridge.calls, 2, 'retried after 1 s')
  await time.advance(2_000)
  t.equal(bridge.calls, 3, 'then after 2 s')
  await time.advance(4_000 + 8_000 + 8_000)
  t.equal(bridge.calls, 6, 'then 4 s, then capped at 8 s')
  bridge.mode = 'up'
  await time.advance(8_000)
  await sup.idle()
  t.equal(sup.state, 'mounted')
  t.equal(sup.status().lastError, null)
  t.equal(backend.mounted.size, 1)
  await sup.stop()
})

t.test('a hanging bridge ends as a timeout and keeps waiting', async t => {
  const { sup, bridge, time } = setup(t)
  bridge.mode = 'hang'
  const started = sup.start()
  await time.advance(5_000)
  await started
  t.equal(sup.state, 'waiting')
  t.match(sup.status().lastError?.message, /did not answer within 5 s/)
  await sup.stop()
  t.equal(time.pending, 0, 'no timer left after stop')
})

t.test('mounted -> degraded -> mounted, the fs told each time', async t => {
  const { sup, bridge, time, backend } = setup(t)
  await sup.start()
  const fs = backend.fsByName.get('photos')!
  bridge.mode = 'logged-out'
  await time.advance(10_000)
  t.equal(sup.state, 'degraded')
  t.equal(fs.available, false)
  t.match(sup.status().lastError, { message: /404/, hint: /mega-whoami/ })
  t.equal(sup.status().bridge.reachable, false)
  bridge.mode = 'up'
  await time.advance(10_000)
  t.equal(sup.state, 'mounted')
  t.equal(fs.available, true)
  t.equal(backend.mounted.size, 1, 'stayed mounted throughout')
  await sup.stop()
})

t.test('a mount that fails is failed with a hint', async t => {
  const { sup, backend } = setup(t)
  backend.failMount = new Error('fusermount: mount failed: Operation not permitted')
  await sup.start()
  t.equal(sup.state, 'failed')
  t.match(sup.status().lastError, { message: /Operation not permitted/, hint: /mountctl mount photos/ })
  backend.failMount = null
  await sup.start()
  t.equal(sup.state, 'mounted', 'mount retries')
  await sup.stop()
})

t.test('stop while waiting cancels the retry; refresh needs a mount', async t => {
  const { sup, bridge, time } = setup(t)
  bridge.mode = 'down'
  await sup.start()
  await sup.stop()
  t.equal(sup.state, 'unmounted')
  t.equal(sup.status().wanted, false)
  const calls = bridge.calls
  await time.advance(60_000)
  t.equal(bridge.calls, calls)
  t.throws(() => sup.refresh('/x'), /not mounted/)
})

t.test('refresh invalidates the cache', async t => {
  const { sup, backend } = setup(t)
  await sup.start()
  sup.refresh('/a')
  sup.refresh()
  t.same(backend.fsByName.get('photos')!.invalidated, ['/a', undefined])
  await sup.stop()
})

t.test('a megaPath that cannot be resolved waits with the reason', async t => {
  const { sup } = setup(t, { url: null, megaPath: '/Photos' })
  await sup.start()
  t.equal(sup.state, 'waiting')
  t.match(sup.status().lastError, { message: /megaPath cannot be resolved/, hint: 'use url' })
  await sup.stop()
})

t.test('plain HTTP to another computer: a warning in status and, once, in the log', async t => {
  const lines: string[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) })
  const remoteUrl = 'http://192.168.1.5:4443/f1Y2lIrD/Photos'
  const dir = t.testdir()
  const profile: Profile = { ...PROFILE_DEFAULTS, name: 'photos', url: remoteUrl, megaPath: null, mountpoint: path.join(dir, 'mnt') }
  const backend = new FakeBackend()
  const sup = new MountSupervisor({ profile, backend, time: new ManualTime(), logger, stateDir: dir, healthIntervalMs: () => 10_000 })
  t.match(sup.status().warnings, [/plain HTTP to 192\.168\.1\.5, which is not this computer/], 'before the first mount too')
  await sup.start()
  await sup.stop()
  await sup.start()
  t.equal(sup.state, 'mounted', 'a warning, not a refusal')
  t.match(sup.status().warnings, [/plain HTTP/])
  t.equal(lines.filter(l => /plain HTTP/.test(l) && JSON.parse(l).level === 40).length, 1, 'logged once')
  await sup.stop()
  const local = setup(t)
  t.same(local.sup.status().warnings, [])
})
