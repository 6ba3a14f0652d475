import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { runMountctl } from '../../src/cli/main.js'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualTime } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from '../daemon/fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

async function ctl(socketPath: string, ...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runMountctl(['--socket', socketPath, ...argv], { stdout: s => void (stdout += s), stderr: s => void (stderr += s), env: { HOME: '/nonexistent-home' } })
  return { code, stdout, stderr }
}

async function setup(t: { teardown(fn: () => unknown): void }, mounts: (dir: string) => object[]) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmctl-'))
  const configFile = path.join(dir, 'mounts.json')
  await fs.writeFile(configFile, JSON.stringify({ mounts: mounts(dir) }))
  const backend = new FakeBackend()
  const time = new ManualTime()
  const socketPath = path.join(dir, 'c.sock')
  const daemon = new Daemon({ configFile, socketPath, stateDir: path.join(dir, 's'), backend, time, logger: silentLogger, version: 't' })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  return { dir, daemon, backend, time, socketPath, configFile }
}

t.test('exit 3 with how to start the daemon when it is not running', async t => {
  const r = await ctl('/tmp/mm-none-' + process.pid + '.sock', 'status')
  t.equal(r.code, 3)
  t.match(r.stderr, /megamountd is not running \(nothing answers on \/tmp\/mm-none-/)
  t.match(r.stderr, /megamountd &/)
})

t.test('status: 0 when all wanted mounts are mounted, table and JSON', async t => {
  const s = await setup(t, dir => [
    { name: 'photos', url: URL_A, mountpoint: path.join(dir, 'Photos') },
    { name: 'spare', url: URL_B, mountpoint: path.join(dir, 'Spare'), autostart: false },
  ])
  await s.daemon.start()
  await s.daemon.idle()
  const r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trimEnd().split('\n')
  t.match(lines[0], /^NAME\s+MOUNTPOINT\s+STATE\s+BRIDGE\s+CACHE\s+DUPLICATES$/)
  t.match(lines[1], /^photos\s+\S+\/Photos\s+mounted\s+reachable 0 ms\s+12 entries, 75% hits\s+1 hidden$/)
  t.match(lines[2], /^spare\s+\S+\/Spare\s+unmounted \(not autostart\)\s+-\s+-\s+-$/)
  const j = await ctl(s.socketPath, 'status', '--json')
  t.equal(j.code, 0)
  const parsed = JSON.parse(j.stdout)
  t.match(parsed.mounts[0], {
    name: 'photos',
    mountpoint: path.join(s.dir, 'Photos'),
    url: URL_A,
    state: 'mounted',
    bridge: { reachable: true, latencyMs: 0, checkedAt: String },
    cache: { entries: 12, hitRate: 0.75 },
    duplicateNames: 1,
    lastError: null,
  })
  const one = await ctl(s.socketPath, 'status', 'spare', '--json')
  t.same(JSON.parse(one.stdout).mounts.map((m: { name: string }) => m.name), ['spare'])
  const unknown = await ctl(s.socketPath, 'status', 'nope')
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /no profile named "nope"\n  fix: known: photos, spare/)
})

t.test('status: 1 with the error and what to do when a mount waits or failed', async t => {
  const s = await setup(t, dir => [
    { name: 'down', url: URL_A, mountpoint: path.join(dir, 'Down') },
    { name: 'broken', url: URL_B + '?x', mountpoint: path.join(dir, 'Broken') },
  ])
  s.backend.bridge(URL_A).mode = 'down'
  await s.daemon.start()
  await s.daemon.idle()
  const r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 1)
  t.match(r.stdout, /down\s+\S+\s+waiting\s+unreachable/)
  t.match(r.stdout, /\n    error: bridge at 127\.0\.0\.1:4443 refuses connections\n    fix:   start MEGAcmd/)
  t.match(r.stdout, /broken\s+\S+\s+failed/)
  t.match(r.stdout, /error: .*mounts\.json: profile "broken" \(mounts\[1\]\): field "url": must not contain a query/)
  const j = JSON.parse((await ctl(s.socketPath, 'status', '--json')).stdout)
  t.match(j.mounts[1], { name: 'broken', state: 'failed', lastError: { message: /field "url"/, hint: /mega-webdav/ } })
})

t.test('mount, unmount, refresh, reload', async t => {
  const s = await setup(t, dir => [{ name: 'a', url: URL_A, mountpoint: path.join(dir, 'A'), autostart: false }])
  await s.daemon.start()
  let r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 0, 'nothing wanted, nothing missing')
  r = await ctl(s.socketPath, 'mount', 'a')
  t.equal(r.code, 0)
  t.match(r.stdout, /^a: mounted on .*\/A\n$/)
  r = await ctl(s.socketPath, 'refresh', 'a', '/x')
  t.equal(r.stdout, 'a: cache dropped for /x\n')
  t.same(s.backend.fsByName.get('a')!.invalidated, ['/x'])
  r = await ctl(s.socketPath, 'unmount', 'a')
  t.equal(r.code, 0)
  t.equal(r.stdout, 'a: unmounted\n')
  r = await ctl(s.socketPath, 'refresh', 'a')
  t.equal(r.code, 1)
  t.match(r.stderr, /"a" is unmounted, not mounted.*\n  fix: mount it first: mountctl mount a/)
  s.backend.bridge(URL_A).mode = 'down'
  r = await ctl(s.socketPath, 'mount', 'a')
  t.equal(r.code, 1)
  t.match(r.stdout, /a: waiting\n  error: .*refuses connections\n  fix: .*\n  it mounts on its own/)
  await fs.writeFile(s.configFile, JSON.stringify({ mounts: [{ name: 'b', url: URL_B, mountpoint: path.join(s.dir, 'B') }] }))
  r = await ctl(s.socketPath, 'reload')
  t.equal(r.code, 0)
  t.equal(r.stdout, 'reloaded\n  added: b\n  removed: a\n')
  await fs.writeFile(s.configFile, '{ "mounts": [ }')
  r = await ctl(s.socketPath, 'reload')
  t.equal(r.code, 1)
  t.match(r.stderr, /mountctl reload: .*mounts\.json: is not valid JSON at line 1, column 15: Unexpected token '}'\n  fix: fix the syntax there/)
})

t.test('usage errors exit 2 and show the usage', async t => {
  let r = await ctl('/tmp/x.sock')
  t.equal(r.code, 2)
  t.match(r.stderr, /Usage: mountctl \[--socket PATH\] COMMAND/)
  r = await ctl('/tmp/x.sock', 'frob')
  t.equal(r.code, 2)
  t.match(r.stderr, /unknown command "frob"/)
  r = await ctl('/tmp/x.sock', 'mount')
  t.equal(r.code, 2)
  t.match(r.stderr, /mountctl mount: expected 1 argument, got 0\n\nUsage: mountctl mount NAME/)
  r = await ctl('/tmp/x.sock', 'status', '--jsn')
  t.equal(r.code, 2)
  t.match(r.stderr, /Unknown option '--jsn'/)
  r = await ctl('/tmp/x.sock', 'refresh', '--help')
  t.equal(r.code, 0)
  t.match(r.stdout, /Usage: mountctl refresh NAME \[PATH\]/)
  r = await ctl('/tmp/x.sock', '--help')
  t.equal(r.code, 0)
  for (const c of ['status', 'mount', 'unmount', 'reload', 'refresh', 'uploads', 'retry', 'discard']) t.match(r.stdout, new RegExp(`\\n  ${c}\\s+\\S`))
})

t.test('status: plain HTTP to another computer is a warning line, still exit 0', async t => {
  const remoteUrl = 'http://192.168.1.5:4443/AAAAAAAA/A'
  const s = await setup(t, dir => [{ name: 'nas', url: remoteUrl, mountpoint: path.join(dir, 'Nas') }])
  await s.daemon.start()
  await s.daemon.idle()
  const r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /\nnas\s+\S+\s+mounted.*\n    warning: the bridge URL uses plain HTTP to 192\.168\.1\.5, which is not this computer/)
  const j = JSON.parse((await ctl(s.socketPath, 'status', '--json')).stdout)
  t.match(j.mounts[0].warnings, [/plain HTTP to 192\.168\.1\.5/])
})

t.test('status: a broken edit is shown under the mount it keeps, and as the file\'s error; exit 1', async t => {
  const s = await setup(t, dir => [{ name: 'photos', url: URL_A, mountpoint: path.join(dir, 'Photos') }])
  await s.daemon.start()
  await s.daemon.idle()
  await fs.writeFile(s.configFile, JSON.stringify({ mounts: [{ name: 'photos', url: URL_A, mountpont: path.join(s.dir, 'Photos') }] }))
  let r = await ctl(s.socketPath, 'reload')
  t.equal(r.code, 1)
  t.match(r.stdout, /invalid: photos/)
  r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 1, 'the file as written is not in effect')
  t.match(r.stdout, /\nphotos\s+\S+\s+mounted.*\n    invalid in the file, running as it was: .*field "mountpont": unknown field; did you mean "mountpoint"\?\n    fix:   rename it to "mountpoint"/)
  let j = JSON.parse((await ctl(s.socketPath, 'status', '--json')).stdout)
  t.match(j.mounts[0], { state: 'mounted', profileError: { message: /"mountpont"/ } })
  t.equal(j.profileFileError, null)

  await fs.writeFile(s.configFile, '{ "mounts": [')
  t.equal((await ctl(s.socketPath, 'reload')).code, 1)
  r = await ctl(s.socketPath, 'status')
  t.equal(r.code, 1)
  t.match(r.stdout, /^profile file not applied, every mount runs as before the edit: .*mounts\.json: is not valid JSON at line 1.*\n  fix: fix the syntax there.*\n\nNAME/)
  j = JSON.parse((await ctl(s.socketPath, 'status', '--json')).stdout)
  t.match(j.profileFileError, { message: /not valid JSON/ })

  await fs.writeFile(s.configFile, JSON.stringify({ mounts: [{ name: 'photos', url: URL_A, mountpoint: path.join(s.dir, 'Photos') }] }))
  t.equal((await ctl(s.socketPath, 'reload')).code, 0)
  t.equal((await ctl(s.socketPath, 'status')).code, 0, 'fixed: applied, exit 0')
})
