// End to end, self-healing and MEGAcmd: the built daemon (dist/) in a child
// process, the bridge emulator in this one, the emulator's stand-in mega-*
// commands as MEGAcmd (settings.megacmdPath). Health checks every second.
// Mounts are only read by child processes (ls, cat, stat), never by this one,
// and every mountpoint is unmounted in teardown.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { DAEMON, MOUNTCTL, daemonMissing, mountctlFor } from '../helpers/daemon-process.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { writeStandInCommands } from '../../src/emulator/megacmd/install.js'
import { STATE_FILE_ENV } from '../../src/emulator/state-file.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const TOTAL = 10 * 1024 ** 3
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmheal-'))
const account = path.join(dir, 'account')
await fs.mkdir(path.join(account, 'Photos', 'Beach day'), { recursive: true })
await fs.writeFile(path.join(account, 'Photos', 'Beach day', 'sea.txt'), 'blue\n')
await fs.writeFile(path.join(account, 'Photos', 'Beach day', 'unread.txt'), 'never read before the outage\n')
await fs.mkdir(path.join(account, 'Docs'), { recursive: true })
await fs.writeFile(path.join(account, 'Docs', 'a.txt'), 'a\n')
await fs.mkdir(path.join(account, 'Music'), { recursive: true })
await fs.mkdir(path.join(dir, 'uploads'))
const stateFile = path.join(dir, 'mega-state.json')
const bin = path.join(dir, 'bin')
writeStandInCommands(bin)
const emulator = new BridgeEmulator({ accountRoot: account, port: 0, uploadTempDir: path.join(dir, 'uploads'), stateFile, storageTotalBytes: TOTAL })
await emulator.start()
const photosUrl = emulator.serve('/Photos')
// MEGAcmd right after login: the port refuses connections until the test
// has seen the daemon wait (a fixed refuseConnectionsForMs could end before
// a slow machine has started the daemon).
await emulator.setMode('down')

const configFile = path.join(dir, 'config', 'mounts.json')
const socket = path.join(dir, 'c.sock')
const mp = (name: string) => path.join(dir, 'mnt', name)
let daemon: ChildProcess | null = null

t.teardown(async () => {
  daemon?.kill('SIGKILL')
  for (const name of ['photos', 'docs', 'extra', 'music']) await run('fusermount', ['-uz', mp(name)]).catch(() => {})
  await emulator.stop()
  await fs.rm(dir, { recursive: true, force: true })
})

async function writeConfig(mounts: object[] | string) {
  await fs.mkdir(path.dirname(configFile), { recursive: true })
  await fs.writeFile(configFile, typeof mounts === 'string' ? mounts : JSON.stringify({ settings: { healthIntervalSeconds: 1, megacmdPath: bin }, mounts }, null, 2))
}


type Status = { name: string; state: string; url: string | null; lastError: { message: string; hint: string } | null }
const { mountctl, states, waitFor } = mountctlFor<Status>(socket)


async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T | null; error: unknown }> {
  const started = Date.now()
  try {
    const value = await fn()
    return { ms: Date.now() - started, value, error: null }
  } catch (error) {
    return { ms: Date.now() - started, value: null, error }
  }
}

/** statfs of a mount as bytes: total and available. */
async function df(where: string): Promise<{ total: number; free: number }> {
  const { stdout } = await run('stat', ['-f', '-c', '%b %a %S', where])
  const [blocks, avail, size] = stdout.trim().split(' ').map(Number) as [number, number, number]
  return { total: blocks * size, free: avail * size }
}

/** real-world wait: polls of the daemon, another process. */
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

t.test('waiting, mounted, degraded, back, logged out, renamed, df, live edits, add/remove', async t => {
  await writeConfig([
    { name: 'photos', url: photosUrl, mountpoint: mp('photos'), requestTimeoutMs: 3000, uploadDelayMs: 200 },
    { name: 'docs', megaPath: '/Docs', mountpoint: mp('docs'), requestTimeoutMs: 3000 },
  ])
  let log = ''
  daemon = spawn(process.execPath, [DAEMON, '--config', configFile, '--socket', socket, '--state-dir', path.join(dir, 'state')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [STATE_FILE_ENV]: stateFile },
  })
  daemon.stdout!.on('data', d => (log += d))
  daemon.stderr!.on('data', d => (log += d))
  const exited = new Promise<number | null>(resolve => daemon!.once('exit', code => resolve(code)))

  // Started before the bridge answers: waiting, then mounted by itself.
  const early = await waitFor('both waiting', s => s.photos?.state === 'waiting' && s.docs?.state === 'waiting')
  t.match(early.photos!.lastError, { message: /refuses connections/ })
  await emulator.setMode('normal')
  const up = Date.now()
  await waitFor('both mounted', s => s.photos?.state === 'mounted' && s.docs?.state === 'mounted')
  const mountedAfter = Date.now() - up
  // Found by the 1 s health checks, not by a slow retry: a few intervals
  // (a busy CI machine took 6.3 s, spawning the fake mega-webdav for docs).
  t.ok(mountedAfter < 10_000, `mounted ${mountedAfter} ms after the bridge appeared (health interval 1 s)`)
  const docs = (await states()).docs!
  t.match(docs.url, /\/Docs$/, 'the megaPath was served and resolved through mega-webdav')
  t.equal((await run('ls', ['-1', mp('docs')])).stdout, 'a.txt\n')

  // Seen and read while up.
  t.equal((await run('ls', ['-1', path.join(mp('photos'), 'Beach day')])).stdout, 'sea.txt\nunread.txt\n')
  t.equal((await run('cat', [path.join(mp('photos'), 'Beach day', 'sea.txt')])).stdout, 'blue\n')

  // df: the stand-in mega-df's figures.
  let space = { total: 0, free: 0 }
  // real-world wait: the daemon (another process) asks mega-df
  for (let i = 0; i < 50 && space.total !== TOTAL; i++, await sleep(100)) space = await df(mp('docs'))
  t.equal(space.total, TOTAL, 'df total = the account quota from mega-df')
  t.ok(space.free < TOTAL && space.free > TOTAL - 1024 * 1024, `df free = quota - used (${space.free})`)

  // The bridge goes away: degraded within about one interval.
  await emulator.setMode('down')
  const down = Date.now()
  await waitFor('photos degraded', s => s.photos?.state === 'degraded', 10_000)
  const degradedAfter = Date.now() - down
  t.ok(degradedAfter < 10_000, `degraded ${degradedAfter} ms after the bridge went down (health interval 1 s)`)
  t.equal((await mountctl('status')).code, 1, 'status exits 1 while degraded')
  t.equal((await run('ls', ['-1', path.join(mp('photos'), 'Beach day')])).stdout, 'sea.txt\nunread.txt\n', 'a seen folder stays browsable')
  const cat = await timed(() => run('cat', [path.join(mp('photos'), 'Beach day', 'unread.txt')]))
  t.ok(cat.error, 'reading an unread file fails')
  t.ok(cat.ms < 1_000, `and fails at once (${cat.ms} ms)`)
  const dfDown = await timed(() => df(mp('docs')))
  t.ok(dfDown.ms < 1_000, `df answers at once with the bridge down (${dfDown.ms} ms)`)
  t.equal(dfDown.value?.total, TOTAL)
  await run('sh', ['-c', 'echo queued > "$1"', 'sh', path.join(mp('photos'), 'Beach day', 'offline.txt')])

  // Back: mounted again without a remount; reads work; the queue drains.
  await emulator.setMode('normal')
  await waitFor('photos mounted again', s => s.photos?.state === 'mounted')
  t.equal((await run('cat', [path.join(mp('photos'), 'Beach day', 'unread.txt')])).stdout, 'never read before the outage\n')
  const fromWaiting = log.split('\n').filter(l => l.includes('"mount":"photos"') && l.includes('"from":"waiting","to":"mounted"'))
  t.equal(fromWaiting.length, 1, 'mounted once: the recovery was not a remount')
  let uploaded = ''
  // real-world wait: the daemon (another process) uploads to the emulator
  for (let i = 0; i < 100 && uploaded !== 'queued\n'; i++, await sleep(100)) uploaded = await fs.readFile(path.join(account, 'Photos', 'Beach day', 'offline.txt'), 'utf8').catch(() => '')
  t.equal(uploaded, 'queued\n', 'the write made while the bridge was down was uploaded when it came back')

  // Logged out: 404 everywhere; MEGAcmd says why.
  await emulator.setMode('logged-out')
  const out = await waitFor('both degraded', s => s.photos?.state === 'degraded' && s.docs?.state === 'degraded' && /login/.test(s.photos?.lastError?.hint ?? '') && /login/.test(s.docs?.lastError?.hint ?? ''), 10_000)
  t.match(out.photos!.lastError, { message: /logged out/, hint: /mega-login/ })
  t.match(out.docs!.lastError, { message: /not logged in/, hint: /mega-login/ })
  t.match((await mountctl('status')).stdout, /mega-login/)
  await emulator.setMode('normal')
  await waitFor('both mounted after login', s => s.photos?.state === 'mounted' && s.docs?.state === 'mounted')

  // The megaPath folder is renamed: the daemon finds its new URL.
  emulator.rename('/Docs', 'Papers')
  const renamed = await waitFor('docs at its new URL', s => s.docs?.state === 'mounted' && /\/Papers$/.test(s.docs?.url ?? ''), 10_000)
  t.match(renamed.docs!.url, /\/Papers$/)
  t.equal((await run('ls', ['-1', mp('docs')])).stdout, 'a.txt\n')

  // Editing the file applies by itself; a broken edit changes nothing.
  const current = JSON.parse(await fs.readFile(configFile, 'utf8'))
  await writeConfig([...current.mounts, { name: 'extra', url: photosUrl, mountpoint: mp('extra'), readOnly: true }])
  await waitFor('extra mounted without a signal', s => s.extra?.state === 'mounted', 10_000)
  await writeConfig('{ "mounts": [ { "name": ')
  for (let i = 0; i < 50 && !/reload refused/.test(log); i++) await sleep(100) // real-world wait: the daemon (another process) reads the file
  t.match(log, /reload refused: the file is broken, nothing was changed/)
  t.same(Object.keys(await states()).sort(), ['docs', 'extra', 'photos'], 'nothing changed')
  await writeConfig(current.mounts)
  await waitFor('extra removed', s => !s.extra && s.photos?.state === 'mounted', 10_000)
  t.notOk((await fs.readFile('/proc/mounts', 'utf8')).includes(mp('extra')), 'extra unmounted')

  // mountctl add / remove, applied at once.
  let r = await mountctl('add', 'music', '--mega-path', '/Music', '--mountpoint', mp('music'))
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, new RegExp(`added "music" to ${configFile}\\nmusic: mounted on ${mp('music')}`))
  t.same(JSON.parse(await fs.readFile(configFile, 'utf8')).settings, { healthIntervalSeconds: 1, megacmdPath: bin }, 'settings kept')
  r = await mountctl('remove', 'music')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /removed "music"[\s\S]*music: unmounted/)
  t.notOk((await fs.readFile('/proc/mounts', 'utf8')).includes(mp('music')), 'music unmounted')

  daemon.kill('SIGTERM')
  t.equal(await exited, 0)
  daemon = null
})
