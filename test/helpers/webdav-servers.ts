// The servers the write tests run against, each over a local folder whose
// content is what "the server has": MEGA's bridge emulator (in this process),
// `rclone serve webdav` and Apache's mod_dav (child processes, on a free
// 127.0.0.1 port).

import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BridgeEmulator, type BridgeEmulatorOptions } from '../../src/emulator/bridge.js'

export type ServerKind = 'emulator' | 'rclone' | 'apache'

export interface TestServer {
  kind: ServerKind
  url: string
  /** The local folder the served root stands for. */
  folder: string
  /** Set for the emulator (fault injection). */
  emulator: BridgeEmulator | null
  stop(): Promise<void>
}

/** Why rclone tests cannot run here, or false. */
export const rcloneMissing: string | false = spawnSync('rclone', ['version'], { stdio: 'ignore' }).error
  ? 'rclone is not installed: run scripts/setup.sh (or apt-get install rclone) to run this test'
  : false

const APACHE = '/usr/sbin/apache2'
const APACHE_MODULES = '/usr/lib/apache2/modules'

/** Why Apache tests cannot run here, or false. Apache is not installed by
 *  scripts/setup.sh (installing it starts a web server on port 80); .ci/run
 *  installs it without starting it. */
export const apacheMissing: string | false = (() => {
  if (process.getuid?.() !== 0) return 'Apache mod_dav tests run as root (Apache serves as www-data)'
  if (spawnSync(APACHE, ['-v'], { stdio: 'ignore' }).error || !existsSync(join(APACHE_MODULES, 'mod_dav_fs.so'))) {
    return 'Apache is not installed: apt-get install apache2 (then systemctl disable --now apache2 if you do not want it running) to run this test'
  }
  return false
})()

/** Why a server kind cannot be tested here, or false. */
export function serverMissing(kind: ServerKind): string | false {
  return kind === 'rclone' ? rcloneMissing : kind === 'apache' ? apacheMissing : false
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  return port
}

export async function startServer(kind: ServerKind, emulatorOptions: Partial<BridgeEmulatorOptions> = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), `megamount-${kind}-`))
  const cleanup = () => rm(dir, { recursive: true, force: true })
  if (kind === 'emulator') {
    const account = join(dir, 'account')
    const folder = join(account, 'Test Drive')
    await mkdir(folder, { recursive: true })
    await mkdir(join(dir, 'uploads'))
    const emulator = new BridgeEmulator({ accountRoot: account, uploadTempDir: join(dir, 'uploads'), ...emulatorOptions })
    await emulator.start()
    const url = emulator.serve('/Test Drive')
    return { kind, url, folder, emulator, stop: async () => (await emulator.stop(), await cleanup()) }
  }
  if (kind === 'apache') return startApache(dir, cleanup)
  const folder = join(dir, 'served')
  await mkdir(folder)
  const port = await freePort()
  const child = spawn('rclone', ['serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', folder], { stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = new Promise(resolve => child.once('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    let log = ''
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString()
      if (/started on|Serving on/i.test(log)) resolve()
    })
    child.once('exit', code => reject(new Error(`rclone serve webdav exited (${code}) before serving:\n${log}`)))
  })
  return {
    kind,
    url: `http://127.0.0.1:${port}/`,
    folder,
    emulator: null,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
      await cleanup()
    },
  }
}

/** Apache 2.4 with mod_dav_fs in the foreground, on its own configuration
 *  (nothing of the system's Apache is used). It serves as www-data, so the
 *  served folder belongs to www-data: content is made through the mount. */
async function startApache(dir: string, cleanup: () => Promise<void>): Promise<TestServer> {
  const folder = join(dir, 'served')
  const locks = join(dir, 'locks')
  await mkdir(folder)
  await mkdir(locks)
  const www = Number(execFileSync('id', ['-u', 'www-data']).toString().trim())
  const wwwGroup = Number(execFileSync('id', ['-g', 'www-data']).toString().trim())
  await chmod(dir, 0o755)
  await chown(folder, www, wwwGroup)
  await chown(locks, www, wwwGroup)
  const port = await freePort()
  const config = join(dir, 'apache.conf')
  await writeFile(config, [
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    `DefaultRuntimeDir ${dir}`,
    `PidFile ${join(dir, 'apache.pid')}`,
    `ErrorLog ${join(dir, 'error.log')}`,
    'User www-data',
    'Group www-data',
    ...['mpm_event', 'authz_core', 'mime', 'dav', 'dav_fs'].map(m => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`),
    'TypesConfig /dev/null',
    `DavLockDB ${join(locks, 'DavLock')}`,
    `DocumentRoot ${folder}`,
    `<Directory ${folder}>`,
    '  Dav On',
    '  Require all granted',
    '</Directory>',
    '',
  ].join('\n'))
  const child = spawn(APACHE, ['-f', config, '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()))
  const exited = new Promise(resolve => child.once('exit', resolve))
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
    await cleanup()
  }
  // Real-world wait: Apache is another process; it serves once it listens.
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`apache2 exited (${child.exitCode}) before serving:\n${log}${await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')}`)
    if (await canConnect(port)) break
    if (tries > 100) {
      await stop()
      throw new Error(`apache2 did not listen on ${port} within 10 s:\n${log}`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { kind: 'apache', url: `http://127.0.0.1:${port}/`, folder, emulator: null, stop }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Every entry below root: relative path -> sha256 of a file, or 'dir'.
 *  skip: relative paths (and what is below them) left out. */
export async function treeDigest(root: string, skip: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name
      if (skip.includes(child)) continue
      if (entry.isDirectory()) {
        out[child] = 'dir'
        await walk(child)
      } else {
        out[child] = await sha256File(join(root, child))
      }
    }
  }
  await walk('')
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)))
}
