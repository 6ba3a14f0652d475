// End to end: uploads through the built daemon (dist/) in a child process,
// against bridge emulators in this process. Files are written into the mount
// by child processes (cp) only, and every mountpoint is unmounted in teardown.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { DAEMON, MOUNTCTL, daemonMissing, mountctlFor } from '../helpers/daemon-process.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmup-'))
const account = path.join(dir, 'account')
const slowAccount = path.join(dir, 'slow-account')
await fs.mkdir(path.join(account, 'Photos'), { recursive: true })
await fs.mkdir(path.join(slowAccount, 'Big'), { recursive: true })
await fs.mkdir(path.join(dir, 'uploads'))
await fs.mkdir(path.join(dir, 'src'))
const emulator = new BridgeEmulator({ accountRoot: account, port: 0, uploadTempDir: path.join(dir, 'uploads') })
// 300 kB/s: a 3 MB upload is in flight for about 10 s.
const slow = new BridgeEmulator({ accountRoot: slowAccount, port: 0, uploadTempDir: path.join(dir, 'uploads'), bandwidthBytesPerSec: 300_000 })
await emulator.start()
await slow.start()
const photosUrl = emulator.serve('/Photos')
const bigUrl = slow.serve('/Big')

const configFile = path.join(dir, 'mounts.json')
const socket = path.join(dir, 'c.sock')
const mp = (name: string) => path.join(dir, 'mnt', name)
const onServer = (...p: string[]) => path.join(account, 'Photos', ...p)
const daemons = new Set<ChildProcess>()

t.teardown(async () => {
  for (const d of daemons) d.kill('SIGKILL')
  for (const name of ['photos', 'big']) await run('fusermount', ['-uz', mp(name)]).catch(() => {})
  await emulator.stop()
  await slow.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

await fs.writeFile(
  configFile,
  JSON.stringify({
    settings: { healthIntervalSeconds: 1 },
    mounts: [
      // A long quiet delay keeps closed files queued until unmount skips it.
      { name: 'photos', url: photosUrl, mountpoint: mp('photos'), uploadDelayMs: 600_000 },
      { name: 'big', url: bigUrl, mountpoint: mp('big'), uploadDelayMs: 0, requestTimeoutMs: 30_000 },
    ],
  }),
)

function startDaemon(...extra: string[]): { child: ChildProcess; exited: Promise<number | null>; log: () => string } {
  let log = ''
  const args = [DAEMON, '--config', configFile, '--socket', socket, '--state-dir', path.join(dir, 'state'), ...extra]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', d => (log += d))
  child.stderr!.on('data', d => (log += d))
  daemons.add(child)
  const exited = new Promise<number | null>(resolve => child.once('exit', code => (daemons.delete(child), resolve(code))))
  return { child, exited, log: () => log }
}


type Uploads = { queued: number; uploading: number; failed: number; queuedBytes: number; inJournal: boolean; unmountWaiting: boolean }
type Status = { name: string; state: string; uploads: Uploads; lastError: { message: string; hint: string } | null }
const { mountctl, states } = mountctlFor<Status>(socket)

async function waitFor<T>(what: string, check: () => Promise<T | false | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const v = await check()
    if (v) return v
    await new Promise(r => setTimeout(r, 200)) // real-world wait: the daemon is another process
  }
  throw new Error(`timed out waiting for ${what}`)
}

const exists = (p: string) => fs.access(p).then(() => true, () => false)

async function writeSource(name: string, bytes: number): Promise<string> {
  const p = path.join(dir, 'src', name)
  await fs.writeFile(p, Buffer.alloc(bytes, name.charCodeAt(0)))
  return p
}

const d = startDaemon('--stop-timeout-seconds', '2')

t.test('copied files show as queued; unmount waits until they reach the server', async t => {
  await waitFor('both mounted', async () => {
    const s = await states()
    return s.photos?.state === 'mounted' && s.big?.state === 'mounted'
  })
  await run('cp', [await writeSource('a.jpg', 200_000), await writeSource('b.jpg', 300_000), mp('photos')])
  const s = await waitFor('two queued', async () => ((await states()).photos?.uploads.queued === 2 ? await states() : false))
  t.match(s.photos!.uploads, { queued: 2, queuedBytes: 500_000, uploading: 0, failed: 0 })
  t.equal(await exists(onServer('a.jpg')), false, 'not uploaded yet (quiet delay)')
  const table = await mountctl('status', 'photos')
  t.equal(table.code, 0)
  t.match(table.stdout, /    uploads: 2 queued \(500 kB\)\n/)
  const list = await mountctl('uploads', 'photos')
  t.match(list.stdout, /photos\s+\/a\.jpg\s+queued\s+200 kB/)

  const r = await mountctl('unmount', 'photos')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /photos: unmounted\n$/)
  t.equal((await fs.readFile(onServer('a.jpg'))).length, 200_000)
  t.equal((await fs.readFile(onServer('b.jpg'))).length, 300_000)
  t.match((await states()).photos!.uploads, { queued: 0, failed: 0, inJournal: false })
  t.match(d.log(), /"msg":"uploaded"/)
})

t.test('a 507 makes the upload fail: status exits 1 with what to do; retry uploads it', async t => {
  t.equal((await mountctl('mount', 'photos')).code, 0)
  emulator.failNext('PUT', 507)
  await run('cp', [await writeSource('full.bin', 10_000), mp('photos')])
  // The quiet delay is long: retry sends it at once (it is waiting, not failed, yet).
  await waitFor('queued', async () => (await states()).photos?.uploads.queued === 1)
  t.equal((await mountctl('retry', 'photos')).code, 1, 'nothing has failed yet')
  const unmounting = mountctl('unmount', 'photos') // skips the delay: the PUT gets 507
  const s = await waitFor('failed', async () => ((await states()).photos?.uploads.failed === 1 ? await states() : false))
  t.match(s.photos!.lastError, { message: /upload of \/full\.bin failed: no-space \(507\)/, hint: /mountctl retry photos/ })
  const refused = await unmounting
  t.equal(refused.code, 1)
  t.match(refused.stderr, /"photos" has 1 failed upload \(data not on MEGA yet\): not unmounting/)
  const st = await mountctl('status')
  t.equal(st.code, 1, 'status exits 1 while an upload has failed')
  t.match(st.stdout, /uploads: 1 failed \(10\.0 kB\)\n    error: upload of \/full\.bin failed: no-space \(507\)/)
  const list = await mountctl('uploads', 'photos')
  t.equal(list.code, 1)
  t.match(list.stdout, /\/full\.bin\s+failed\s+10\.0 kB\s+-\s+1/)
  t.match(d.log(), /"msg":"upload failed; data kept until retry or discard"/)

  const retried = await mountctl('retry', 'photos', '/full.bin')
  t.equal(retried.code, 0, retried.stderr)
  await waitFor('uploaded after retry', () => exists(onServer('full.bin')))
  t.equal((await mountctl('status')).code, 0)
})

t.test('unmount --force leaves queued uploads in the journal; the next mount uploads them', async t => {
  await run('cp', [await writeSource('later.txt', 50_000), mp('photos')])
  await waitFor('queued', async () => (await states()).photos?.uploads.queued === 1)
  const r = await mountctl('unmount', '--force', 'photos')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /photos: unmounted\n  1 upload \(50\.0 kB\) stay in the journal: they upload after mountctl mount photos\n/)
  t.match((await states()).photos!.uploads, { queued: 1, inJournal: true })
  t.equal(await exists(onServer('later.txt')), false)
  t.match(d.log(), /uploads left in the journal/)
  t.equal((await mountctl('mount', 'photos')).code, 0)
  await waitFor('uploaded after the mount', () => exists(onServer('later.txt')))
  t.equal((await fs.readFile(onServer('later.txt'))).length, 50_000)
})

t.test('Ctrl-C on a waiting unmount leaves the mount; SIGTERM stops a slow upload after --stop-timeout-seconds; the next start finishes it', async t => {
  // 20 s at the emulator's 300 KB/s: the steps before SIGTERM (each one a
  // mountctl process, seconds on a busy machine) must not outlast it.
  await run('cp', [await writeSource('slow.bin', 6_000_000), mp('big')])
  await waitFor('uploading', async () => (await states()).big?.uploads.uploading === 1)

  const waiting = spawn(process.execPath, [MOUNTCTL, '--socket', socket, 'unmount', 'big'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  waiting.stdout!.on('data', c => (out += c))
  waiting.stderr!.on('data', c => (out += c))
  await waitFor('unmount waiting', async () => (await states()).big?.uploads.unmountWaiting === true)
  await waitFor('progress shown', async () => /big: uploading before unmount: 1 file left/.test(out))
  waiting.kill('SIGINT')
  const code = await new Promise(resolve => waiting.once('exit', c => resolve(c)))
  t.equal(code, 130)
  t.match(out, /mountctl: stopped waiting; big stays mounted and its uploads go on/)
  await waitFor('the daemon stopped waiting', async () => (await states()).big?.uploads.unmountWaiting === false)
  t.match((await states()).big, { state: 'mounted', uploads: { uploading: 1 } })
  t.match(d.log(), /unmount cancelled: mountctl went away/)
  const started = Date.now()
  d.child.kill('SIGTERM')
  t.equal(await d.exited, 0)
  const ms = Date.now() - started
  t.ok(ms < 8_000, `exited within the bound plus unmounting (${ms} ms)`)
  t.ok(ms >= 1_900, `gave the upload its time first (${ms} ms)`)
  t.match(d.log(), /waiting for uploads before unmounting/)
  t.match(d.log(), /uploads not done in time: stopping them, they stay in the journal/)
  t.match(d.log(), /"paths":\["\/slow\.bin"\][^\n]*uploads left in the journal/)
  t.equal(await exists(path.join(slowAccount, 'Big', 'slow.bin')), false)

  const d2 = startDaemon()
  await waitFor('uploaded by the next start', () => exists(path.join(slowAccount, 'Big', 'slow.bin')), 60_000)
  t.equal((await fs.stat(path.join(slowAccount, 'Big', 'slow.bin'))).size, 6_000_000)
  t.match(d2.log(), /resuming uploads from the journal/)
  d2.child.kill('SIGTERM')
  t.equal(await d2.exited, 0)
})
