// The built daemon (dist/) in a child process, for real-mount tests of the
// whole program: start it on a config, wait until a mountpoint is mounted,
// kill it, and always unmount what it left behind.

import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { preload } from './mount-child-process.js'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Test } from 'tap'
import type { BridgeEmulator } from '../../src/emulator/bridge.js'
import { waitUntil } from './wait-until.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '..', '..')
export const DAEMON = join(ROOT, 'dist/src/bin/megamountd.js')
export const MOUNTCTL = join(ROOT, 'dist/src/bin/mountctl.js')

/** Why the daemon cannot run, or false. */
export const daemonMissing: string | false = existsSync(DAEMON) && existsSync(MOUNTCTL) ? false : 'dist/ is missing: run `npm run build` first (npm test does)'

export interface DaemonChild {
  process: ChildProcess
  pid: number
  exited: Promise<number | null>
  log(): string
}

export interface DaemonDirs {
  config: string
  socket: string
  stateDir: string
}

export function daemonDirs(dir: string): DaemonDirs {
  return { config: join(dir, 'mounts.json'), socket: join(dir, 'c.sock'), stateDir: join(dir, 'state') }
}

export async function writeDaemonConfig(dirs: DaemonDirs, mounts: object[]): Promise<void> {
  await writeFile(dirs.config, JSON.stringify({ settings: { healthIntervalSeconds: 1 }, mounts }))
}

export function startDaemon(dirs: DaemonDirs): DaemonChild {
  let log = ''
  const child = spawn(process.execPath, [DAEMON, '--config', dirs.config, '--socket', dirs.socket, '--state-dir', dirs.stateDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...preload() } })
  child.stdout!.on('data', d => (log += d))
  child.stderr!.on('data', d => (log += d))
  const exited = new Promise<number | null>(r => child.once('exit', code => r(code)))
  return { process: child, pid: child.pid!, exited, log: () => log }
}

export async function isMounted(mountpoint: string): Promise<boolean> {
  const mounts = await readFile('/proc/mounts', 'utf8')
  return mounts.split('\n').some(line => line.split(' ')[1] === mountpoint.replace(/ /g, '\\040'))
}

export { waitUntil }

export async function stopDaemon(daemon: DaemonChild, mountpoints: string[]): Promise<void> {
  if (daemon.process.exitCode === null && daemon.process.signalCode === null) {
    daemon.process.kill('SIGKILL')
    await daemon.exited
  }
  for (const mp of mountpoints) await run('fusermount', ['-uz', mp]).catch(() => {})
}

/** A test file's one daemon on one mountpoint, started and stopped as its
 *  tests need (a restart is the point of most of them); the file's
 *  teardown calls end(). */
export class RestartableDaemon {
  #child: DaemonChild | null = null

  constructor(
    private readonly dirs: DaemonDirs,
    private readonly mountpoint: string,
  ) {}

  /** The running daemon; throws when there is none. */
  get child(): DaemonChild {
    if (!this.#child) throw new Error('the daemon is not running')
    return this.#child
  }

  /** Its log so far, for mountctlFor's timeouts. */
  readonly log = (): string | undefined => this.#child?.log()

  /** Starts it; resolves once the mountpoint is mounted, with the ms that took. */
  async start(): Promise<number> {
    // A second daemon would find the first one's mount and lose track of it.
    if (this.#child) throw new Error('the daemon is still running: stop() or end() it first')
    const started = Date.now()
    const child = startDaemon(this.dirs)
    this.#child = child
    try {
      await waitUntil('mounted', () => isMounted(this.mountpoint), 30_000, 20)
    } catch (err) {
      throw new Error(`${(err as Error).message}; the daemon's log:\n${child.log()}`)
    }
    return Date.now() - started
  }

  /** Stops it as systemd would (SIGTERM), waiting for it to exit. */
  async stop(): Promise<void> {
    const child = this.child
    child.process.kill('SIGTERM')
    await child.exited
    this.#child = null
  }

  /** Kills it if it still runs (SIGKILL) and unmounts what it left. */
  async end(): Promise<void> {
    if (this.#child) await stopDaemon(this.#child, [this.mountpoint])
    this.#child = null
  }
}

/** The teardown of a test file whose daemon runs on the bridge emulator:
 *  the daemon ended, the emulator back to normal and stopped, dir removed. */
export function tearDownOnEmulator(t: Test, daemon: RestartableDaemon, emulator: BridgeEmulator, dir: string): void {
  t.teardown(async () => {
    await daemon.end()
    await emulator.setMode('normal')
    await emulator.stop()
    await rm(dir, { recursive: true, force: true })
  })
}

/** Resident memory high-water mark of a process, in bytes. */
export async function peakResidentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)
  if (!kib) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(kib[1]) * 1024
}

export interface MountctlResult {
  code: number
  stdout: string
  stderr: string
  ms: number
}

/** mountctl against one daemon's socket, and its status read as a map by
 *  mount name; Status is the slice of `status --json` a test looks at. */
/** log: the daemon's log, added to a waitFor that timed out (what a
 *  failure in CI needs to be understood). */
export function mountctlFor<Status extends { name: string }>(socket: string, options: { log?: () => string | undefined } = {}) {
  async function mountctl(...args: string[]): Promise<MountctlResult> {
    const started = Date.now()
    try {
      const r = await run(process.execPath, [MOUNTCTL, '--socket', socket, ...args])
      return { code: 0, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started }
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr, ms: Date.now() - started }
    }
  }
  async function states(): Promise<Record<string, Status>> {
    const r = await mountctl('status', '--json')
    if (r.code === 3) return {}
    return Object.fromEntries((JSON.parse(r.stdout).mounts as Status[]).map(m => [m.name, m]))
  }
  async function waitFor(what: string, check: (s: Record<string, Status>) => boolean, timeoutMs = 20_000): Promise<Record<string, Status>> {
    const deadline = Date.now() + timeoutMs
    let last: Record<string, Status> = {}
    while (Date.now() < deadline) {
      last = await states()
      if (check(last)) return last
      await new Promise(r => setTimeout(r, 100)) // real-world wait: the daemon is another process
    }
    const log = options.log?.()
    const tail = log === undefined ? '' : `\ndaemon log (last 30 lines):\n${log.split('\n').slice(-30).join('\n')}`
    throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}${tail}`)
  }
  return { mountctl, states, waitFor }
}
