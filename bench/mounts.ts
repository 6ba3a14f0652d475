// The mounts under test, side by side on one server: megamount (the daemon
// with a profile) on its libfuse 3 backend and on the fuse-native fallback,
// rclone mount with --vfs-cache-mode off and full, and the FUSE ceiling (a
// trivial in-memory fuse-native filesystem). Each knows how to make itself
// cold, so "cold" means cold for that tool, and how to start afresh (a new
// process: its JIT, if any, cold too).
import { spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { LINUX_ALLOCATOR_ENVIRONMENT } from '../src/service/daemon-path.js'
import { isMounted, registerMountpoint, startService, stopService, unmount } from './procs.js'
import type { BenchServer } from './servers.js'

export type MountId = 'megamount' | 'megamount-fuse-native' | 'rclone-off' | 'rclone-full' | 'fuse-ceiling'

export interface BenchMount {
  id: MountId
  mountpoint: string
  /** How this mount is made cold before a cold run, for the report. */
  coldMethod: string
  /** Flags it runs with, for the report. */
  flags: string[]
  start(): Promise<void>
  makeCold(): Promise<void>
  /** A new process, as at login: cold caches and a cold JIT. */
  makeFresh(): Promise<void>
  stop(): Promise<void>
  /** Processes whose memory is sampled. */
  pids(): number[]
  /** Writes through this mount land on the server (false: memory only). */
  writesReachServer: boolean
}

function logTail(logFile: string): string {
  if (!existsSync(logFile)) return '(no log)'
  return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
}

async function waitForMount(what: string, mountpoint: string, child: ChildProcess, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited before mounting ${mountpoint}; its log ends:\n${logTail(logFile)}`)
    }
    if (isMounted(mountpoint)) return
    await delay(50)
  }
  throw new Error(`${what} did not mount ${mountpoint} within ${timeoutMs / 1000} s; its log ends:\n${logTail(logFile)}`)
}

export class RcloneMount implements BenchMount {
  readonly id: MountId
  readonly mountpoint: string
  readonly coldMethod = 'remount with an emptied cache folder'
  readonly flags: string[]
  readonly writesReachServer = true
  private child: ChildProcess | null = null
  private readonly cacheDir: string
  private readonly logFile: string
  private readonly args: string[]

  constructor(server: BenchServer, cacheMode: 'off' | 'full', workDir: string) {
    this.id = cacheMode === 'off' ? 'rclone-off' : 'rclone-full'
    this.mountpoint = join(workDir, 'mnt', `${server.name}-${this.id}`)
    this.cacheDir = join(workDir, 'cache', `${server.name}-${this.id}`)
    this.logFile = join(workDir, `${server.name}-${this.id}.log`)
    this.flags = ['--vfs-cache-mode', cacheMode, ...server.rcloneClientFlags]
    this.args = [
      'mount', ':webdav:', this.mountpoint,
      '--webdav-url', server.url, '--webdav-vendor', 'other',
      ...this.flags,
      '--cache-dir', this.cacheDir,
      '--config', join(workDir, 'rclone.conf'),
    ]
  }

  async start(): Promise<void> {
    mkdirSync(this.mountpoint, { recursive: true })
    registerMountpoint(this.mountpoint)
    this.child = startService('rclone', this.args, this.logFile)
    await waitForMount(`rclone mount (${this.id})`, this.mountpoint, this.child, this.logFile)
  }

  async makeCold(): Promise<void> {
    await this.stop()
    rmSync(this.cacheDir, { recursive: true, force: true })
    await this.start()
  }

  /** makeCold already starts a new process. */
  makeFresh(): Promise<void> {
    return this.makeCold()
  }

  async stop(): Promise<void> {
    if (this.child) await stopService(this.child)
    this.child = null
    unmount(this.mountpoint)
  }

  pids(): number[] {
    return this.child?.pid ? [this.child.pid] : []
  }
}

export interface MegamountPaths {
  daemonMain: string
  mountctlMain: string
}

export type MegamountBackend = 'libfuse3' | 'fuse-native'

export class MegamountMount implements BenchMount {
  readonly id: MountId
  readonly mountpoint: string
  coldMethod = 'mountctl unmount + mountctl cache clear + mountctl mount (drops listings and cached content, the stored ones too)'
  readonly flags: string[]
  readonly writesReachServer = true
  readonly profileName = 'bench'
  private child: ChildProcess | null = null
  private readonly dir: string
  private readonly socket: string
  private readonly logFile: string
  private remountWorks: boolean | null = null

  constructor(server: BenchServer, workDir: string, private readonly paths: MegamountPaths, private readonly backend: MegamountBackend = 'libfuse3') {
    this.id = backend === 'libfuse3' ? 'megamount' : 'megamount-fuse-native'
    this.flags = ['profile defaults', `--fuse-backend ${backend}`]
    this.mountpoint = join(workDir, 'mnt', `${server.name}-${this.id}`)
    this.dir = join(workDir, `${this.id}-${server.name}`)
    // Unix socket paths are limited to about 100 bytes: keep it short.
    this.socket = join(workDir, `mm-${server.name}-${backend === 'libfuse3' ? '3' : 'n'}.sock`)
    this.logFile = join(workDir, `${server.name}-${this.id}.log`)
    mkdirSync(this.dir, { recursive: true })
    const profile = { name: this.profileName, url: server.url, mountpoint: this.mountpoint, autostart: true }
    writeFileSync(join(this.dir, 'mounts.json'), JSON.stringify({ mounts: [profile] }, null, 2))
  }

  mountctl(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const res = spawnSync(process.execPath, [this.paths.mountctlMain, '--socket', this.socket, ...args], { encoding: 'utf8', timeout: 60_000 })
    return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? '' }
  }

  /** The daemon's own view, from `mountctl status --json`. */
  status(): { state?: string; [key: string]: unknown } | null {
    const res = this.mountctl(['status', '--json'])
    if (res.status !== 0) return null
    try {
      const parsed = JSON.parse(res.stdout) as { mounts?: Array<{ name: string; state?: string }> }
      return parsed.mounts?.find((m) => m.name === this.profileName) ?? null
    } catch {
      return null
    }
  }

  /** `mountctl status --json` as a whole (the idle memory reducer's counters among it). */
  daemonStatus(): Record<string, unknown> | null {
    const res = this.mountctl(['status', '--json'])
    try {
      return res.status === 0 ? (JSON.parse(res.stdout) as Record<string, unknown>) : null
    } catch {
      return null
    }
  }

  async start(): Promise<void> {
    if (!existsSync(this.paths.daemonMain) || !existsSync(this.paths.mountctlMain)) {
      throw new Error(`megamount is not built (${this.paths.daemonMain} missing): run npm run build`)
    }
    mkdirSync(this.mountpoint, { recursive: true })
    registerMountpoint(this.mountpoint)
    this.child = startService(process.execPath, [
      this.paths.daemonMain,
      '--config', join(this.dir, 'mounts.json'),
      '--socket', this.socket,
      '--state-dir', join(this.dir, 'state'),
      '--log-level', 'warn',
      '--fuse-backend', this.backend,
    // The allocator settings `mountctl service install` puts in the unit:
    // the bench runs the daemon as the installed service does.
    ], this.logFile, { ...process.env, ...Object.fromEntries(process.platform === 'linux' ? LINUX_ALLOCATOR_ENVIRONMENT : []) })
    await this.waitMounted()
  }

  private async waitMounted(): Promise<void> {
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`megamountd exited before mounting; its log ends:\n${logTail(this.logFile)}`)
      }
      if (existsSync(this.socket) && this.status()?.state === 'mounted' && isMounted(this.mountpoint)) return
      await delay(50)
    }
    throw new Error(`megamountd did not report '${this.profileName}' mounted within 30 s; its log ends:\n${logTail(this.logFile)}`)
  }

  /** `mountctl refresh` forgets listings only; file content stays in the
   *  mount's caches. Unmount + cache clear + mount through the daemon drops
   *  both, the copies kept across restarts too, and keeps the same daemon
   *  process (so its peak memory is one series). */
  async makeCold(): Promise<void> {
    if (this.remountWorks !== false) {
      const down = this.mountctl(['unmount', this.profileName])
      const cleared = down.status === 0 ? this.mountctl(['cache', 'clear', this.profileName]) : down
      const up = cleared.status === 0 ? this.mountctl(['mount', this.profileName]) : cleared
      this.remountWorks = up.status === 0
      if (this.remountWorks) {
        await this.waitMounted()
        return
      }
    }
    this.coldMethod = 'daemon restart (mountctl unmount/mount failed)'
    await this.stop()
    await this.start()
  }

  /** The kernel-side counters of the libfuse 3 backend (status --json). */
  kernelStats(): { reads: number; readBytes: number; largestReadBytes: number; lookups: number; readaheadKb: number | null } | null {
    const fuse = this.status()?.fuse as { kernel?: { reads: number; readBytes: number; largestReadBytes: number; lookups: number; readaheadKb: number | null } | null } | undefined
    return fuse?.kernel ?? null
  }

  /** A new daemon process, as after login: its JIT is cold too, and it
   *  finds no stored tree or cached content (the first login, not a later
   *  one: the restart step measures that). */
  async makeFresh(): Promise<void> {
    await this.stop()
    const mountState = join(this.dir, 'state', 'mounts', this.profileName)
    for (const name of ['store.db', 'store.db-wal', 'store.db-shm', 'cache']) rmSync(join(mountState, name), { recursive: true, force: true })
    await this.start()
  }

  async stop(): Promise<void> {
    if (this.child) await stopService(this.child, 10_000)
    this.child = null
    unmount(this.mountpoint)
  }

  pids(): number[] {
    return this.child?.pid ? [this.child.pid] : []
  }
}

export class CeilingMount implements BenchMount {
  readonly id: MountId = 'fuse-ceiling'
  readonly mountpoint: string
  readonly coldMethod = 'kernel caches dropped (data stays in its memory)'
  readonly flags: string[] = ['in-memory fuse-native, kernel_cache, attr/entry timeout 60 s']
  readonly writesReachServer = false
  private child: ChildProcess | null = null
  private readonly logFile: string

  constructor(private readonly sourceDir: string, workDir: string, private readonly memfsMain: string) {
    this.mountpoint = join(workDir, 'mnt', 'fuse-ceiling')
    this.logFile = join(workDir, 'fuse-ceiling.log')
  }

  async start(): Promise<void> {
    mkdirSync(this.mountpoint, { recursive: true })
    registerMountpoint(this.mountpoint)
    this.child = startService(process.execPath, [this.memfsMain, this.sourceDir, this.mountpoint], this.logFile)
    await waitForMount('the FUSE ceiling filesystem', this.mountpoint, this.child, this.logFile, 120_000)
  }

  async makeCold(): Promise<void> {}

  async makeFresh(): Promise<void> {}

  async stop(): Promise<void> {
    if (this.child) await stopService(this.child)
    this.child = null
    unmount(this.mountpoint)
  }

  pids(): number[] {
    return this.child?.pid ? [this.child.pid] : []
  }
}
