// The restart step: what a user sees after a reboot, megamount only (its
// store keeps the tree across restarts; nothing to compare it with). A daemon
// of its own mounts the server through a TCP relay in this process, so "the
// bridge is down" is the relay refusing connections, as MEGAcmd's port does
// while it loads the account. After one walk of the tree (which stores it):
//  - restart-down-ls: from starting the daemon to the end of the first `ls`
//    of the tree with the bridge down (target <= 0.5 s);
//  - restart-up-ls: the first `ls -l` of the mount's root right after a
//    restart with the bridge up (target <= 0.2 s).
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { LINUX_ALLOCATOR_ENVIRONMENT } from '../src/service/daemon-path.js'
import type { MegamountPaths } from './mounts.js'
import { isMounted, registerMountpoint, startService, stopService, unmount } from './procs.js'
import type { BenchServer } from './servers.js'
import { median } from './stats.js'

const run = promisify(execFile)
const REPEATS = 3

export const RESTART_TARGETS = { downLsMs: 500, upRootLsMs: 200 }

export interface RestartStep {
  server: string
  /** Entries of the stored tree walked before the restarts. */
  treeEntries: number
  downLsMs: number[]
  upRootLsMs: number[]
  error?: string
}

/** A TCP relay to the server that can refuse connections on demand. */
class Relay {
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    const server = createServer(client => {
      const upstream = connect(this.target.port, this.target.host)
      for (const s of [client, upstream]) {
        this.sockets.add(s)
        s.once('close', () => this.sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>(resolve => server.listen(this.port, '127.0.0.1', () => resolve()))
    const address = server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : this.port
    this.server = server
  }

  async down(): Promise<void> {
    const server = this.server
    this.server = null
    for (const s of this.sockets) s.destroy()
    if (server) await new Promise<void>(resolve => server.close(() => resolve()))
  }
}

export async function restartStep(server: BenchServer, workDir: string, paths: MegamountPaths): Promise<RestartStep> {
  const step: RestartStep = { server: server.name, treeEntries: 0, downLsMs: [], upRootLsMs: [] }
  const target = new URL(server.url)
  const relay = new Relay({ host: target.hostname, port: Number(target.port) })
  await relay.up()
  const dir = join(workDir, `restart-${server.name}`)
  const mountpoint = join(workDir, 'mnt', `${server.name}-restart`)
  mkdirSync(dir, { recursive: true })
  mkdirSync(mountpoint, { recursive: true })
  registerMountpoint(mountpoint)
  const url = `http://127.0.0.1:${relay.port}${target.pathname}`
  writeFileSync(join(dir, 'mounts.json'), JSON.stringify({ mounts: [{ name: 'restart', url, mountpoint, autostart: true }] }))
  const env = { ...process.env, ...Object.fromEntries(process.platform === 'linux' ? LINUX_ALLOCATOR_ENVIRONMENT : []) }
  const args = [paths.daemonMain, '--config', join(dir, 'mounts.json'), '--socket', join(dir, 'c.sock'), '--state-dir', join(dir, 'state'), '--log-level', 'warn']
  const logFile = join(workDir, `${server.name}-restart.log`)

  /** Starts the daemon; resolves with the start time once the mount is there. */
  const start = async () => {
    const startedAt = process.hrtime.bigint()
    const child = startService(process.execPath, args, logFile, env)
    const deadline = Date.now() + 30_000
    while (!isMounted(mountpoint)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the restart daemon did not mount (see ${logFile})`)
      await new Promise(resolve => setTimeout(resolve, 2))
    }
    return { child, startedAt }
  }
  const stop = async (child: ReturnType<typeof startService>) => {
    await stopService(child, 10_000)
    unmount(mountpoint)
  }
  const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6

  try {
    // One walk of the tree with the bridge up: the store keeps it.
    const first = await start()
    const walk = await run('ls', ['-R', join(mountpoint, 'tree')], { maxBuffer: 256 * 1024 * 1024 })
    step.treeEntries = walk.stdout.split('\n').filter(l => l !== '' && !l.endsWith(':')).length
    await stop(first.child)
    for (let i = 0; i < REPEATS; i++) {
      await relay.down()
      const down = await start()
      const ls = await run('ls', [join(mountpoint, 'tree')])
      if (ls.stdout.trim() === '') throw new Error('ls of the stored tree with the bridge down printed nothing')
      step.downLsMs.push(ms(down.startedAt))
      await stop(down.child)
      await relay.up()
      const up = await start()
      const t0 = process.hrtime.bigint()
      await run('ls', ['-l', mountpoint])
      step.upRootLsMs.push(ms(t0))
      await stop(up.child)
    }
  } catch (err) {
    step.error = err instanceof Error ? err.message : String(err)
  } finally {
    unmount(mountpoint)
    await relay.down()
  }
  return step
}

export function describeRestart(step: RestartStep): string {
  if (step.error) return `Restart from the stored tree on ${step.server}: error (${step.error})`
  const down = median(step.downLsMs)
  const up = median(step.upRootLsMs)
  const verdict = (value: number, target: number) => `${value <= target ? 'pass' : 'FAIL'} (target <= ${(target / 1000).toFixed(1)} s)`
  return (
    `Restart from the stored tree (${step.treeEntries.toLocaleString('en-US')} entries) on ${step.server}: ` +
    `daemon start to the first ls with the bridge down ${(down / 1000).toFixed(3)} s, ${verdict(down, RESTART_TARGETS.downLsMs)}; ` +
    `root ls right after a restart with the bridge up ${(up / 1000).toFixed(3)} s, ${verdict(up, RESTART_TARGETS.upRootLsMs)} ` +
    `(medians of ${step.downLsMs.length})`
  )
}
