import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualTime, settle } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from './fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

/** Real time passes (socket close, file IO) until cond holds. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise(r => setTimeout(r, 2)) // real-world wait: the control socket closes, files are written
}

async function setup(t: { teardown(fn: () => unknown): void }, mounts: object[]) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmd-'))
  const configFile = path.join(dir, 'mounts.json')
  const write = (m: object[] | string) => fs.writeFile(configFile, typeof m === 'string' ? m : JSON.stringify({ mounts: m }))
  await write(mounts)
  const backend = new FakeBackend()
  const time = new ManualTime()
  backend.queueTime = time
  const make = () =>
    new Daemon({ configFile, socketPath: path.join(dir, 'c.sock'), stateDir: path.join(dir, 'state'), backend, time, logger: silentLogger, version: 'test', stopTimeoutMs: 5_000 })
  const daemon = make()
  t.teardown(async () => {
    // Uploads a test left pending get the stop bound on the manual clock.
    let stopped = false
    const stopping = daemon.stop().finally(() => (stopped = true))
    while (!stopped) {
      await time.advance(1_000)
      await new Promise(r => setTimeout(r, 5)) // real-world wait: the uploads' file I/O
    }
    await stopping
    await fs.rm(dir, { recursive: true, force: true })
  })
  const mp = (n: string) => path.join(dir, 'mnt', n)
  return { dir, daemon, backend, time, write, make, mp, socketPath: path.join(dir, 'c.sock') }
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
  t.equal(s.time.pending, 0, 'no timer left')
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

t.test('status: upload counts per mount; a failed upload is the last error', async t => {
  const s = await setup(t, [])
  await s.write([
    { name: 'a', url: URL_A, mountpoint: s.mp('a') },
    { name: 'ro', url: URL_B, mountpoint: s.mp('ro'), readOnly: true },
  ])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  t.notOk(s.backend.queues.has('ro'), 'a read-only mount has no queue')
  s.backend.queues.get('a')!.set([
    { path: '/q.txt', bytes: 10, state: 'waiting' },
    { path: '/u.txt', bytes: 100, state: 'uploading', sentBytes: 25 },
    { path: '/f.txt', bytes: 7, state: 'failed', error: { kind: 'no-space', status: 507, message: 'full' } },
  ])
  const [a, ro] = s.daemon.status().mounts
  t.match(a!.uploads, { queued: 1, queuedBytes: 10, uploading: 1, uploadingBytes: 100, sentBytes: 25, failed: 1, failedBytes: 7 })
  t.match(a!.lastError, { message: 'upload of /f.txt failed: no-space (507): full', hint: /mountctl retry a/ })
  t.equal(a!.state, 'mounted')
  t.match(ro!.uploads, { queued: 0, failed: 0 })
  t.same(s.daemon.uploads().map(i => [i.mount, i.path, i.state]), [['a', '/u.txt', 'uploading'], ['a', '/q.txt', 'queued'], ['a', '/f.txt', 'failed']])
  t.same(s.daemon.uploads('ro'), [])
  t.throws(() => s.daemon.uploads('zz'), { message: /no profile named "zz"/ })
})

t.test('retry and discard take paths inside the mount or under its mountpoint', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  const q = s.backend.queues.get('a')!
  q.set([
    { path: '/x/f.txt', bytes: 7, state: 'failed' },
    { path: '/g.txt', bytes: 8, state: 'failed' },
  ])
  t.same(await s.daemon.retryUploads('a', path.join(s.mp('a'), 'x/f.txt')), { retried: 1 })
  t.same(await s.daemon.retryUploads('a', 'g.txt'), { retried: 1 })
  t.same(q.retried, ['/x/f.txt', '/g.txt'])
  await t.rejects(s.daemon.retryUploads('a'), { message: 'a: no failed uploads to retry' })
  t.match(await s.daemon.discardUpload('a', path.join(s.mp('a'), 'g.txt'), { dryRun: true }), { item: { path: '/g.txt', bytes: 8 }, discarded: false })
  t.match(await s.daemon.discardUpload('a', '/g.txt'), { discarded: true })
  t.same(q.discarded, ['/g.txt'])
})

t.test('unmount waits for the queue, mounted meanwhile; status answers during the wait', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  const q = s.backend.queues.get('a')!
  q.set([{ path: '/u.txt', bytes: 100, state: 'uploading' }])
  let result: string | null = null
  const unmounting = s.daemon.unmount('a').then(m => (result = m.state))
  await settle()
  t.equal(result, null, 'still waiting')
  const during = s.daemon.status().mounts[0]!
  t.equal(during.state, 'mounted')
  t.equal(during.uploads!.unmountWaiting, true)
  t.same([...s.backend.mounted.values()], ['a'])
  await s.time.advance(3_000) // drain slices come and go; still waiting
  t.equal(result, null)
  q.set([{ path: '/u.txt', bytes: 100, state: 'uploading' }, { path: '/new.txt', bytes: 1, state: 'ready' }])
  q.finishAll()
  await unmounting
  t.equal(result, 'unmounted')
  t.same([...s.backend.mounted.values()], [])
  t.match(s.daemon.status().mounts[0]!.uploads, { queued: 0, inJournal: false })
})

t.test('unmount is refused while an upload has failed, before and after waiting; --force unmounts', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  const q = s.backend.queues.get('a')!
  q.set([{ path: '/f.txt', bytes: 7, state: 'failed' }])
  await t.rejects(s.daemon.unmount('a'), { message: '"a" has 1 failed upload (data not on MEGA yet): not unmounting', hint: /mountctl uploads a.*mountctl unmount --force a/ })
  q.set([{ path: '/u.txt', bytes: 1, state: 'uploading' }])
  const refused = t.rejects(s.daemon.unmount('a'), { message: /has 1 failed upload/ })
  await settle()
  q.set([{ path: '/u.txt', bytes: 1, state: 'failed' }]) // it failed while we waited
  await refused
  t.same([...s.backend.mounted.values()], ['a'], 'still mounted')
  q.set([{ path: '/u.txt', bytes: 1, state: 'failed' }, { path: '/q.txt', bytes: 2, state: 'ready' }])
  const m = await s.daemon.unmount('a', { force: true })
  t.equal(m.state, 'unmounted')
  t.match(m.uploads, { queued: 1, queuedBytes: 2, failed: 1, failedBytes: 1, inJournal: true })
  t.match(m.lastError, { message: '1 failed upload kept in the journal' })
  t.same([...s.backend.mounted.values()], [])
})

t.test('unmount: the client going away cancels the wait, the mount stays', async t => {
  const s = await setup(t, [])
  await s.write([{ name: 'a', url: URL_A, mountpoint: s.mp('a') }])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  s.backend.queues.get('a')!.set([{ path: '/u.txt', bytes: 1, state: 'uploading' }])
  const abort = new AbortController()
  const cancelled = t.rejects(s.daemon.unmount('a', { signal: abort.signal }), { message: 'unmount of "a" cancelled: still mounted, uploads go on' })
  await settle()
  abort.abort()
  await s.time.advance(1_000)
  await cancelled
  t.same([...s.backend.mounted.values()], ['a'])
  t.equal(s.daemon.status().mounts[0]!.uploads!.unmountWaiting, false)
})

t.test('stop gives uploads a bounded time, then unmounts; done uploads let it stop at once', async t => {
  const s = await setup(t, [])
  await s.write([
    { name: 'a', url: URL_A, mountpoint: s.mp('a') },
    { name: 'b', url: URL_B, mountpoint: s.mp('b') },
  ])
  await s.daemon.start()
  await s.daemon.idle()
  await settle()
  s.backend.queues.get('a')!.set([{ path: '/slow.bin', bytes: 100, state: 'uploading' }])
  let stopped = false
  const stopping = s.daemon.stop().then(() => (stopped = true))
  await until(() => s.backend.queues.get('a')!.drains > 0)
  await s.time.advance(4_999)
  t.equal(stopped, false, 'waits up to the bound')
  t.same([...s.backend.mounted.values()].sort(), ['a', 'b'], 'still mounted while uploads run')
  await s.time.advance(1)
  await stopping
  t.same([...s.backend.mounted.values()], [])
  t.match(s.daemon.status().mounts[0]!.uploads, { queued: 1, queuedBytes: 100, inJournal: true })

  const s2 = await setup(t, [])
  await s2.write([{ name: 'a', url: URL_A, mountpoint: s2.mp('a') }])
  await s2.daemon.start()
  await s2.daemon.idle()
  await settle()
  const q = s2.backend.queues.get('a')!
  q.set([{ path: '/quick.bin', bytes: 1, state: 'uploading' }])
  const stopping2 = s2.daemon.stop()
  await until(() => q.drains > 0)
  q.finishAll()
  await stopping2
  t.same([...s2.backend.mounted.values()], [])
  t.match(s2.daemon.status().mounts[0]!.uploads, { queued: 0, inJournal: false })
})

t.test('an existing state folder open to others is made private at start', async t => {
  const s = await setup(t, [])
  await fs.mkdir(path.join(s.dir, 'state'), { mode: 0o755 })
  await fs.chmod(path.join(s.dir, 'state'), 0o755)
  await s.daemon.start()
  t.equal((await fs.stat(path.join(s.dir, 'state'))).mode & 0o777, 0o700)
})

t.test('started() resolves once every autostart mount has mounted, settled in waiting, or failed', async t => {
  const s = await setup(t, [])
  const URL_C = 'http://127.0.0.1:4443/CCCCCCCC/C'
  await s.write([
    { name: 'up', url: URL_A, mountpoint: s.mp('up') },
    { name: 'hung', url: URL_B, mountpoint: s.mp('hung'), requestTimeoutMs: 5_000 },
    { name: 'down', url: URL_C, mountpoint: s.mp('down') },
    { name: 'manual', url: URL_A, mountpoint: s.mp('manual'), autostart: false },
    { name: 'broken', url: 'ftp://x', mountpoint: s.mp('broken') },
  ])
  s.backend.bridge(URL_B).mode = 'hang'
  s.backend.bridge(URL_C).mode = 'down'
  await s.daemon.start()
  let settled = false
  const started = s.daemon.started().then(() => (settled = true))
  await settle()
  t.notOk(settled, 'not while a bridge has not answered its first probe')
  await s.time.advance(5_000)
  await started
  t.same(s.daemon.status().mounts.map(m => [m.name, m.state]), [['up', 'mounted'], ['hung', 'waiting'], ['down', 'waiting'], ['manual', 'unmounted'], ['broken', 'failed']])
})
