import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { runMountctl } from '../../../src/cli/main.js'
import { Daemon } from '../../../src/daemon/daemon.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { silentLogger } from '../../../src/log.js'
import { FakeBackend } from '../../daemon/fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'

async function ctl(socketPath: string, ...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runMountctl(['--socket', socketPath, ...argv], { stdout: s => void (stdout += s), stderr: s => void (stderr += s), env: { HOME: '/nonexistent-home' } })
  return { code, stdout, stderr }
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmadd-'))
  const configFile = path.join(dir, 'mounts.json')
  await fs.writeFile(configFile, JSON.stringify({ settings: { healthIntervalSeconds: 3 }, mounts: [] }, null, 2))
  const backend = new FakeBackend()
  const socketPath = path.join(dir, 'c.sock')
  const daemon = new Daemon({ configFile, socketPath, stateDir: path.join(dir, 's'), backend, time: new ManualTime(), logger: silentLogger, version: 't' })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  return { dir, daemon, backend, socketPath, configFile }
}

t.test('add and remove through a running daemon: the file it reads, applied at once', async t => {
  const s = await setup(t)
  await s.daemon.start()
  let r = await ctl(s.socketPath, 'add', 'photos', '--url', URL_A, '--mountpoint', path.join(s.dir, 'P'))
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, `added "photos" to ${s.configFile}\nphotos: mounted on ${path.join(s.dir, 'P')}\n`)
  t.same(JSON.parse(await fs.readFile(s.configFile, 'utf8')), { settings: { healthIntervalSeconds: 3 }, mounts: [{ name: 'photos', url: URL_A, mountpoint: path.join(s.dir, 'P') }] })
  t.same([...s.backend.mounted.values()], ['photos'])

  r = await ctl(s.socketPath, 'add', 'spare', '--mega-path', '/Spare', '--mountpoint', path.join(s.dir, 'S'), '--no-autostart', '--read-only')
  t.equal(r.code, 0)
  t.match(r.stdout, /not autostart: mount it with mountctl mount spare/)
  t.match(JSON.parse(await fs.readFile(s.configFile, 'utf8')).mounts[1], { name: 'spare', megaPath: '/Spare', readOnly: true, autostart: false })

  r = await ctl(s.socketPath, 'add', 'photos', '--url', URL_A, '--mountpoint', path.join(s.dir, 'Q'))
  t.equal(r.code, 1)
  t.match(r.stderr, /profile "photos": already exists\n {2}fix: pick another name, or remove it first: mountctl remove photos/)

  r = await ctl(s.socketPath, 'remove', 'photos')
  t.equal(r.code, 0)
  t.equal(r.stdout, `removed "photos" from ${s.configFile}\nphotos: unmounted\n`)
  t.same([...s.backend.mounted.values()], [])
  t.same(s.daemon.status().mounts.map(m => m.name), ['spare'])
  r = await ctl(s.socketPath, 'remove', 'photos')
  t.equal(r.code, 1)
  t.match(r.stderr, /has no profile named "photos"\n {2}fix: known: spare/)
})

t.test('without a daemon: the file only, said so', async t => {
  const s = await setup(t)
  const file = path.join(s.dir, 'other', 'mounts.json')
  let r = await ctl(s.socketPath, 'add', 'a', '--url', URL_A, '--mountpoint', path.join(s.dir, 'A'), '--config', file)
  t.equal(r.code, 0)
  t.match(r.stdout, /added "a" to .*other\/mounts\.json\nmegamountd is not running: only the file was changed/)
  r = await ctl(s.socketPath, 'remove', 'a', '--config', file)
  t.equal(r.code, 0)
  t.match(r.stdout, /megamountd is not running: only the file was changed/)
  t.same(JSON.parse(await fs.readFile(file, 'utf8')).mounts, [])
})

t.test('usage errors', async t => {
  const s = await setup(t)
  let r = await ctl(s.socketPath, 'add', 'a', '--mountpoint', '/x')
  t.equal(r.code, 2)
  t.match(r.stderr, /give exactly one of --url and --mega-path/)
  r = await ctl(s.socketPath, 'add', 'a', '--url', URL_A, '--mega-path', '/A', '--mountpoint', '/x')
  t.equal(r.code, 2)
  r = await ctl(s.socketPath, 'add', 'a', '--url', URL_A)
  t.equal(r.code, 2)
  r = await ctl(s.socketPath, 'add', '--help')
  t.equal(r.code, 0)
  t.match(r.stdout, /Usage: mountctl add NAME/)
})

t.test('--config naming another file than the daemon reads is pointed out', async t => {
  const s = await setup(t)
  await s.daemon.start()
  const other = path.join(s.dir, 'other.json')
  const r = await ctl(s.socketPath, 'add', 'a', '--url', URL_A, '--mountpoint', path.join(s.dir, 'A'), '--config', other)
  t.equal(r.code, 0)
  t.match(r.stderr, /megamountd reads .*mounts\.json, not .*other\.json/)
  t.match(r.stdout, /megamountd reads another file: only this file was changed/)
  t.same(s.daemon.status().mounts, [])
})
