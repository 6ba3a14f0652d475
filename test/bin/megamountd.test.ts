// End to end: the built daemon (dist/) in a child process against the bridge
// emulator in this process. The mount is only ever read by child processes
// (ls, cat), never by this one, and every mountpoint is unmounted in teardown.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { DAEMON, MOUNTCTL, daemonMissing, mountctlFor, waitUntil } from '../helpers/daemon-process.js'
import { backendUnderTest, preload } from '../helpers/mount-child-process.js'
import { sendRequest } from '../../src/control/client.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mme2e-'))
const account = path.join(dir, 'account')
await fs.mkdir(path.join(account, 'Photos', 'Beach day'), { recursive: true })
await fs.writeFile(path.join(account, 'Photos', 'Beach day', 'sea.txt'), 'blue\n')
await fs.mkdir(path.join(account, 'Docs'), { recursive: true })
await fs.writeFile(path.join(account, 'Docs', 'a.txt'), 'a\n')
await fs.mkdir(path.join(dir, 'uploads'))
const emulator = new BridgeEmulator({ accountRoot: account, port: 0, uploadTempDir: path.join(dir, 'uploads') })
await emulator.start()
const photosUrl = emulator.serve('/Photos')
const docsUrl = emulator.serve('/Docs')

const configFile = path.join(dir, 'mounts.json')
const socket = path.join(dir, 'c.sock')
const mp = (name: string) => path.join(dir, 'mnt', name)
const daemons = new Set<ChildProcess>()

t.teardown(async () => {
  for (const d of daemons) d.kill('SIGKILL')
  for (const name of ['photos', 'docs', 'never', 'broken']) await run('fusermount', ['-uz', mp(name)]).catch(() => {})
  await emulator.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

async function writeConfig(mounts: object[] | string) {
  await fs.writeFile(configFile, typeof mounts === 'string' ? mounts : JSON.stringify({ settings: { healthIntervalSeconds: 1 }, mounts }))
}

function startDaemon(): { child: ChildProcess; exited: Promise<number | null>; log: () => string } {
  let log = ''
  const child = spawn(process.execPath, [DAEMON, '--config', configFile, '--socket', socket, '--state-dir', path.join(dir, 'state')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...preload() } })
  child.stdout!.on('data', d => (log += d))
  child.stderr!.on('data', d => (log += d))
  daemons.add(child)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => (daemons.delete(child), resolve(code))))
  return { child, exited, log: () => log }
}


type Status = { name: string; state: string; lastError: { message: string; hint: string } | null }
const { mountctl, states, waitFor } = mountctlFor<Status>(socket)


const procMounts = async () => (await fs.readFile('/proc/mounts', 'utf8')).split('\n').filter(l => l.includes(dir))

t.test('mount, ls, status in each state, reload and hang', async t => {
  await writeConfig([
    { name: 'photos', url: photosUrl, mountpoint: mp('photos'), requestTimeoutMs: 8000 },
    { name: 'never', url: 'http://127.0.0.1:1/AAAAAAAA/Nothing', mountpoint: mp('never') },
    { name: 'broken', url: photosUrl + '?x=1', mountpoint: mp('broken') },
  ])
  const d = startDaemon()
  const s = await waitFor('photos mounted', s => s.photos?.state === 'mounted')
  t.equal(s.never!.state, 'waiting')
  t.match(s.never!.lastError, { message: /refuses connections/ })
  t.equal(s.broken!.state, 'failed')
  t.match(s.broken!.lastError, { message: /field "url": must not contain a query/ })

  const ls = await run('ls', ['-1', mp('photos')])
  t.equal(ls.stdout, 'Beach day\n')
  t.equal((await run('cat', [path.join(mp('photos'), 'Beach day', 'sea.txt')])).stdout, 'blue\n')

  let r = await mountctl('status')
  t.equal(r.code, 1, 'not every wanted profile is mounted')
  t.match(r.stdout, /photos\s+\S+\s+mounted\s+reachable \d+ ms/)
  t.match(r.stdout, /never\s+\S+\s+waiting\s+unreachable/)
  t.match(r.stdout, /broken\s+\S+\s+failed/)
  r = await mountctl('status', 'photos')
  t.equal(r.code, 0, 'status of the mounted profile alone exits 0')

  await emulator.setMode('down')
  await waitFor('photos degraded', s => s.photos?.state === 'degraded')
  r = await mountctl('status', 'photos')
  t.equal(r.code, 1)
  t.match(r.stdout, /photos\s+\S+\s+degraded\s+unreachable/)
  await emulator.setMode('normal')
  await waitFor('photos mounted again', s => s.photos?.state === 'mounted')

  // Timed on the socket itself: starting a node child costs seconds on a busy machine.
  await emulator.setMode('hang')
  // real-world wait: the daemon (another process, on the system clock) starts its next health probe, which
  // now hangs; the emulator logs a request only once answered, so there is nothing to poll for
  await new Promise(res => setTimeout(res, 1_500))
  const started = Date.now()
  const reply = await sendRequest(socket, 'status', {}, { timeoutMs: 5_000 })
  const ms = Date.now() - started
  t.ok(ms < 1_000, `status answered at once while the bridge hangs (${ms} ms)`)
  t.match(reply, { ok: true, result: { mounts: [{ name: 'photos' }, { name: 'never' }, { name: 'broken' }] } })
  t.equal(((await states()).photos!).state, 'mounted', 'still mounted until the probe times out')
  await emulator.setMode('normal')
  await waitFor('photos mounted after hang', s => s.photos?.state === 'mounted')

  // SIGHUP with a broken file: nothing changes.
  await writeConfig('{ "mounts": [ ')
  d.child.kill('SIGHUP')
  await waitUntil('the reload refused', () => /reload refused/.test(d.log()), 10_000, 50) // the daemon is another process
  t.match(d.log(), /reload refused: the file is broken, nothing was changed/)
  t.equal((await states()).photos!.state, 'mounted')
  t.equal((await run('ls', ['-1', mp('photos')])).stdout, 'Beach day\n')

  // SIGHUP with photos removed and docs added.
  await writeConfig([{ name: 'docs', url: docsUrl, mountpoint: mp('docs') }])
  d.child.kill('SIGHUP')
  const after = await waitFor('docs mounted, photos gone', s => s.docs?.state === 'mounted' && !s.photos)
  t.same(Object.keys(after), ['docs'])
  t.equal((await run('ls', ['-1', mp('docs')])).stdout, 'a.txt\n')
  t.notOk((await procMounts()).some(l => l.includes(mp('photos'))), 'photos unmounted')

  r = await mountctl('status')
  t.equal(r.code, 0)

  // SIGKILL: on libfuse 3 the kernel drops the mount with the daemon
  // (auto_unmount); fuse-native leaves a dead mount. Either way a new daemon
  // mounts again.
  d.child.kill('SIGKILL')
  await d.exited
  if (backendUnderTest() === 'libfuse3') {
    await waitUntil('the mount gone with the daemon', async () => !(await procMounts()).some(l => l.includes(mp('docs'))), 2_000, 50)
  } else {
    t.ok((await procMounts()).some(l => l.includes(mp('docs'))), 'the dead mount is still in /proc/mounts')
  }
  r = await mountctl('status')
  t.equal(r.code, 3, 'daemon not running')
  t.match(r.stderr, /megamountd &/)
  const d2 = startDaemon()
  await waitFor('docs mounted by the new daemon', s => s.docs?.state === 'mounted')
  t.match(d2.log(), /replaced a stale control socket/)
  t.equal((await run('ls', ['-1', mp('docs')])).stdout, 'a.txt\n')

  // A second daemon on the same socket is refused.
  const d3 = startDaemon()
  t.equal(await d3.exited, 1)
  t.match(d3.log(), /another megamountd is already running on/)

  // SIGTERM unmounts everything and exits 0.
  d2.child.kill('SIGTERM')
  t.equal(await d2.exited, 0)
  t.same(await procMounts(), [], 'no mount left behind')
  t.match(d2.log(), /control socket closed[\s\S]*health checks and retries stopped[\s\S]*mounts unmounted[\s\S]*"stopped"/)
})

t.test('a file that is not JSON at all stops the start with where the error is', async t => {
  await writeConfig('{\n  "mounts": [ } \n')
  const d = startDaemon()
  t.equal(await d.exited, 1)
  t.match(d.log(), /mounts\.json: is not valid JSON at line 2, column 15/)
})
