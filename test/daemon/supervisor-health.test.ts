// The supervisor's health checks (cron ticks on the injected clock), checkNow
// after a resume, and what a 404 on the served root becomes.
import path from 'node:path'
import t from 'tap'
import { PROFILE_DEFAULTS, type Profile } from '../../src/config/types.js'
import type { Logger } from '../../src/log.js'
import { silentLogger } from '../../src/log.js'
import { ManualTime } from '../helpers/manual-time.js'
import { MountSupervisor } from '../../src/daemon/supervisor.js'
import { FakeBackend } from './fake-backend.js'

const OLD = 'http://127.0.0.1:4443/AAAAAAAA/Photos'
const NEW = 'http://127.0.0.1:4443/AAAAAAAA/Pictures'

class MegaBackend extends FakeBackend {
  served = new Map<string, string>([['/Photos', OLD]])
  resolveCalls: (string | null | undefined)[] = []
  resolveError: Error | null = null
  why = { message: 'MEGAcmd is logged out: the bridge answers 404', hint: 'log in: mega-login <email>' }
  override async resolveUrl(profile: Profile, _logger?: Logger, knownUrl?: string | null): Promise<string> {
    this.resolveCalls.push(knownUrl)
    if (profile.url) return profile.url
    if (this.resolveError) throw this.resolveError
    const url = this.served.get(profile.megaPath!)
    if (url) return url
    const moved = [...this.served.values()].find(u => knownUrl && u.split('/')[3] === knownUrl.split('/')[3])
    if (moved) return moved
    throw Object.assign(new Error('not served'), { hint: 'mega-webdav /Photos' })
  }
  async explainRootMissing() {
    return this.why
  }
  /** The real remote follows a new URL with setUrl; so does this one. */
  override createRemote(profile: Profile, url: string) {
    let current = url
    const byUrl = (u: string) => super.createRemote(profile, u)
    return { ...byUrl(url), stat: (p: string, o?: { signal?: AbortSignal }) => byUrl(current).stat(p, o), setUrl: (u: string) => void (current = u) }
  }
}

function setup(t: { testdir(): string }, overrides: Partial<Profile> = {}, intervalMs = 10_000) {
  const dir = t.testdir()
  const profile: Profile = { ...PROFILE_DEFAULTS, name: 'photos', url: null, megaPath: '/Photos', mountpoint: path.join(dir, 'mnt'), requestTimeoutMs: 5_000, ...overrides }
  const backend = new MegaBackend()
  const time = new ManualTime() // second 20 of a minute
  const sup = new MountSupervisor({ profile, backend, time, logger: silentLogger, stateDir: dir, healthIntervalMs: () => intervalMs, retryInitialMs: 1_000, retryMaxMs: 60_000 })
  return { backend, time, sup }
}

t.test('a renamed megaPath folder is followed by its handle, without a remount', async t => {
  const { sup, backend, time } = setup(t)
  await sup.start()
  t.equal(sup.status().url, OLD)
  backend.bridge(OLD).mode = 'logged-out' // the old URL answers 404
  backend.served = new Map([['/Pictures', NEW]])
  await time.advance(10_000)
  t.equal(sup.state, 'mounted', 'the new URL answered in the same check')
  t.equal(sup.status().url, NEW)
  t.equal(backend.resolveCalls.at(-1), OLD, 'the last URL that worked was passed')
  t.same(backend.events, ['mount photos'])
  await sup.stop()
})

t.test('a megaPath folder no longer served (403) is served again, without a remount', async t => {
  const { sup, backend, time } = setup(t)
  await sup.start()
  backend.bridge(OLD).mode = 'not-served' // mega-webdav -d /Photos
  const resolve = backend.resolveUrl.bind(backend)
  backend.resolveUrl = async (profile, logger, knownUrl) => {
    backend.bridge(OLD).mode = 'up' // resolving runs mega-webdav /Photos again
    return resolve(profile, logger, knownUrl)
  }
  await time.advance(10_000)
  t.equal(sup.state, 'mounted', 'served again and probed in the same check')
  t.equal(sup.status().url, OLD, 'same handle, same name: same URL')
  t.same(backend.events, ['mount photos'])
  await sup.stop()
})

t.test('404 on the root: status says why (asked of MEGAcmd); a failed resolve says its own reason', async t => {
  const { sup, backend, time } = setup(t, { url: OLD, megaPath: null })
  await sup.start()
  backend.bridge(OLD).mode = 'logged-out'
  await time.advance(10_000)
  t.equal(sup.state, 'degraded')
  t.match(sup.status().lastError, { message: /logged out/, hint: /mega-login/ })

  const m = setup(t)
  await m.sup.start()
  m.backend.bridge(OLD).mode = 'logged-out'
  m.backend.resolveError = Object.assign(new Error('MEGAcmd is not logged in (finding the bridge URL of /Photos)'), { hint: 'log in: mega-login <email>' })
  await m.time.advance(10_000)
  t.equal(m.sup.state, 'degraded')
  t.match(m.sup.status().lastError, { message: /not logged in/, hint: /mega-login/ })
  await sup.stop()
  await m.sup.stop()
})

t.test('health ticks follow the interval; a check still running is not doubled', async t => {
  const { sup, backend, time } = setup(t, { url: OLD, megaPath: null, requestTimeoutMs: 25_000 })
  await sup.start()
  const bridge = backend.bridge(OLD)
  const before = bridge.calls
  await time.advance(30_000)
  t.equal(bridge.calls - before, 3, 'one probe every 10 s')
  bridge.mode = 'hang'
  await time.advance(20_000)
  t.equal(bridge.calls - before, 4, 'the hung probe is not joined by another')
  t.equal(sup.state, 'mounted', 'not yet timed out')
  await time.advance(20_000)
  t.equal(sup.state, 'degraded', 'timed out')
  await sup.stop()
  t.equal(time.pending, 0, 'no job left after stop')
})

t.test('backoff is capped at the health interval; checkNow retries a waiting mount at once', async t => {
  const { sup, backend, time } = setup(t, { url: OLD, megaPath: null }, 4_000)
  const bridge = backend.bridge(OLD)
  bridge.mode = 'down'
  await sup.start()
  await time.advance(1_000 + 2_000 + 4_000 + 4_000)
  t.equal(bridge.calls, 5, 'retries after 1, 2, 4, then 4 s (the interval), not 8')
  bridge.mode = 'up'
  sup.checkNow()
  await time.advance(0)
  await sup.idle()
  t.equal(sup.state, 'mounted', 'mounted without waiting for the next retry')
  bridge.mode = 'down'
  sup.checkNow()
  await time.advance(0)
  await sup.idle()
  t.equal(sup.state, 'degraded', 'a mounted one is probed at once')
  await sup.stop()
})
