// The two servers the write tests run against, each over a local folder whose
// content is what "the server has": MEGA's bridge emulator (in this process)
// and `rclone serve webdav` (a child process, on a free 127.0.0.1 port).

import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BridgeEmulator, type BridgeEmulatorOptions } from '../../src/emulator/bridge.js'

export type ServerKind = 'emulator' | 'rclone'

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
