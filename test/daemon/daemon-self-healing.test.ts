// The daemon's own parts of self-healing: a resume re-checks every mount at
// once, and an edited profile file applies without a signal.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Daemon } from '../../src/daemon/daemon.js'
import type { WatchFolder } from '../../src/daemon/profile-watcher.js'
import { ManualTime } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from './fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

async function setup(t: { teardown(fn: () => unknown): void }, mounts: object[], settings: object = { healthIntervalSeconds: 60 }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmsh-'))
  const configFile = path.join(dir, 'mounts.json')
  const write = (m: object[] | string) => fs.writeFile(configFile, typeof m === 'string' ? m : JSON.stringify({ settings, mounts: m }))
  await write(mounts)
  const backend = new FakeBackend()
  const time = new ManualTime()
  let offset = 0
  let emit: (name: string | null) => void = () => {}
  const watch: WatchFolder = (_folder, onChange) => ((emit = onChange), { close() {} })
  const daemon = new Daemon({
    configFile, socketPath: path.join(dir, 'c.sock'), stateDir: path.join(dir, 'state'), backend, time, logger: silentLogger, version: 'test',
    monotonicClock: time, wallClock: { now: () => time.now() + offset }, watchProfileFile: watch,
  })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const mp = (n: string) => path.join(dir, 'mnt', n)
  return { daemon, backend, time, write, mp, sleep: (ms: number) => (offset += ms), edited: () => emit('mounts.json') }
}

/** The watcher reads the file with real I/O after its (manual) debounce. */
async function applied(s: { time: ManualTime; daemon: Daemon }, check: () => boolean): Promise<void> {
  await s.time.advance(500)
  for (let i = 0; i < 100 && !check(); i++) {
    await new Promise(r => setTimeout(r, 20)) // real-world wait: the watcher reads the file from disk
    await s.daemon.idle()
  }
}

const states = (d: Daemon) => Object.fromEntries(d.status().mounts.map(m => [m.name, m.state]))

t.test('after a resume every mount is checked at once, not at its next check', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }, { name: 'b', url: URL_B, mountpoint: s.mp('b') }])
  s.backend.bridge(URL_B).mode = 'down'
  await s.daemon.start()
  await s.daemon.idle()
  await s.time.advance(1_000)
  // b waits with growing backoff (capped at 60 s); a is checked once a minute.
  await s.time.advance(20_000)
  t.same(states(s.daemon), { a: 'mounted', b: 'waiting' })
  s.backend.bridge(URL_A).mode = 'down' // gone while the lid was closed
  s.backend.bridge(URL_B).mode = 'up' // and b appeared
  s.sleep(3_600_000) // the machine is suspended an hour: the fake wall clock jumps, no real wait
  await s.time.advance(1_000) // the first tick after the resume
  await s.daemon.idle()
  t.same(states(s.daemon), { a: 'degraded', b: 'mounted' }, 'both noticed within a second of waking')
})

t.test('an edited file applies by itself: added, removed, changed; a broken edit changes nothing', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  t.same(states(s.daemon), { a: 'mounted' })
  await s.write([{ name: 'b', url: URL_B, mountpoint: s.mp('b') }])
  s.edited()
  await applied(s, () => states(s.daemon).b === 'mounted')
  t.same(states(s.daemon), { b: 'mounted' }, 'a removed, b added')
  t.same(s.backend.events, ['mount a', 'unmount a', 'mount b'])
  await s.write('{ "mounts": [ { "name": ')
  s.edited()
  await applied(s, () => false)
  t.same(states(s.daemon), { b: 'mounted' }, 'broken: nothing changed')
  await s.write([{ name: 'b', url: URL_B, mountpoint: s.mp('b'), readOnly: true }])
  s.edited()
  await applied(s, () => s.backend.events.length === 5)
  t.same(s.backend.events, ['mount a', 'unmount a', 'mount b', 'unmount b', 'mount b'], 'changed: remounted')
  t.equal(s.daemon.status().mounts[0]!.readOnly, true)
})
