import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualScheduler } from '../../src/daemon/scheduler.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from './fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

async function setup(t: { teardown(fn: () => unknown): void }, mounts: object[]) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmd-'))
  const configFile = path.join(dir, 'mounts.json')
  const write = (m: object[] | string) => fs.writeFile(configFile, typeof m === 'string' ? m : JSON.stringify({ mounts: m }))
  await write(mounts)
  const backend = new FakeBackend()
  const scheduler = new ManualScheduler()
  const make = () => new Daemon({ configFile, socketPath: path.join(dir, 'c.sock'), stateDir: path.join(dir, 'state'), backend, scheduler, logger: silentLogger, version: 'test' })
  const daemon = make()
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const mp = (n: string) => path.join(dir, 'mnt', n)
  return { dir, daemon, backend, scheduler, write, make, mp, socketPath: path.join(dir, 'c.sock') }
}

t.test('starts every autostart profile; rejected ones show as failed', async t => {
  const s = await setup(t, [])
  await s.write([
    { name: 'a', url: URL_A, mountpoint: s.mp('a') },
    { name: 'b', url: URL_B, mountpoint: s.mp('b'), autostart: false },
    { name: 'c', url: 'ftp://x', mountpoint: s.mp('c') },
  ])
  await s.daemon.start()
  await s.daemon.idle()
  const st = s.daemon.status()
  t.same(st.mounts.map(m => [m.name, m.state, m.wanted]), [['a', 'mounted', true], ['b', 'unmounted', false], ['c', 'failed', true]])
  t.match(st.mounts[2]!.lastError!.message, /profile "c" \(mounts\[0\]\)|profile "c" \(mounts\[2\]\): field "url"/)
  const mode = (await fs.stat(s.socketPath)).mode & 0o777
  t.equal(mode, 0o600, 'socket is private')
  t.equal((await fs.stat(path.dirname(s.socketPath))).isDirectory(), true)
  await t.rejects(s.daemon.mount('c'), { message: /field "url"/ })
  await t.rejects(s.daemon.mount('zz'), { message: /no profile named "zz"/, hint: /mountctl reload/ })
  const b = await s.daemon.mount('b')
  t.equal(b.state, 'mounted')
  t.equal(b.wanted, true)
  t.throws(() => s.daemon.refresh('c'), /field "url"/)
  s.daemon.refresh('a', '/x')
  t.same(s.backend.fsByName.get('a')!.invalidated, ['/x'])
  const a = await s.daemon.unmount('a')
  t.equal(a.state, 'unmounted')
  t.throws(() => s.daemon.refresh('a'), { message: /is unmounted, not mounted/ })
})

t.test('reload: added mount, removed unmount, changed remount, unchanged untouched', async t => {
  const s = await setup(t, [
    { name: 'a', url: URL_A, mountpoint: 'X' },
  ])
  await s.write([
    { name: 'keep', url: URL_A, mountpoint: s.mp('keep') },
    { name: 'gone', url: URL_A, mountpoint: s.mp('gone') },
    { name: 'edit', url: URL_A, mountpoint: s.mp('edit') },
  ])
  await s.daemon.start()
  await s.daemon.idle()
  t.equal(s.backend.mounted.size, 3)
  s.backend.events.length = 0
  await s.write([
    { name: 'keep', url: URL_A, mountpoint: s.mp('keep') },
    { name: 'edit', url: URL_B, mountpoint: s.mp('edit') },
    { name: 'new', url: URL_B, mountpoint: s.mp('new') },
  ])
  const summary = await s.daemon.reload()
  await s.daemon.idle()
  t.same(summary, { added: ['new'], removed: ['gone'], changed: ['edit'], unchanged: ['keep'], failed: [] })
  t.same(s.backend.events.sort(), ['mount edit', 'mount new', 'unmount edit', 'unmount gone'])
  t.same([...s.backend.mounted.values()].sort(), ['edit', 'keep', 'new'])
  t.equal(s.daemon.status().mounts.find(m => m.name === 'edit')!.url, URL_B)
})

t.test('a broken file on reload changes nothing', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  await s.write('{ "mounts": [ { "name": "a", } ] }')
  await t.rejects(s.daemon.reload(), { name: 'ConfigError', message: /not valid JSON at line 1, column 30: / })
  t.same([...s.backend.mounted.values()], ['a'])
  t.equal(s.daemon.status().mounts[0]!.state, 'mounted')
})

t.test('stop is idempotent, ordered and leaves nothing mounted', async t => {
  const s = await setup(t, [])
  await s.write([
    { name: 'a', url: URL_A, mountpoint: s.mp('a') },
    { name: 'b', url: URL_B, mountpoint: s.mp('b') },
  ])
  s.backend.bridge(URL_B).mode = 'down'
  await s.daemon.start()
  await s.daemon.idle()
  t.same(s.daemon.status().mounts.map(m => m.state), ['mounted', 'waiting'])
  await Promise.all([s.daemon.stop(), s.daemon.stop()])
  t.equal(s.backend.mounted.size, 0)
  t.equal(s.scheduler.pending, 0, 'no timer left')
  await t.rejects(fs.stat(s.socketPath), { code: 'ENOENT' }, 'socket removed')
  t.ok(s.backend.fsByName.get('a')!.closed)
})

t.test('a second daemon on the same socket is refused; a stale socket is replaced', async t => {
  const s = await setup(t, [])
  await s.daemon.start()
  const second = s.make()
  await t.rejects(second.start(), { message: /another megamountd is already running on/, hint: /--socket/ })
  await s.daemon.stop()
  // A socket file nobody listens on, as a daemon killed with SIGKILL leaves it.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(s.socketPath)}, () => console.log('up'))`])
  await new Promise(r => child.stdout.once('data', r))
  child.kill('SIGKILL')
  await new Promise(r => child.once('exit', r))
  t.ok((await fs.lstat(s.socketPath)).isSocket(), 'stale socket file present')
  const third = s.make()
  await third.start()
  t.teardown(() => third.stop())
  t.ok((await fs.lstat(s.socketPath)).isSocket())
})

t.test('a missing file starts with no mounts', async t => {
  const s = await setup(t, [])
  await fs.rm(path.join(s.dir, 'mounts.json'))
  await s.daemon.start()
  t.same(s.daemon.status().mounts, [])
})
