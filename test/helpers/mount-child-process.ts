// Starts test/helpers/mount-child.ts in a child process with the same
// TypeScript loader tap uses, waits for its READY line, and always cleans up:
// SIGTERM, then SIGKILL, then `fusermount -uz` whatever happened.

import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { FUSE_BACKENDS, type FuseBackendName } from '../../src/fuse/backends.js'

/** The FUSE backend real mounts use in this test process: libfuse3, unless
 *  MEGAMOUNT_FUSE_BACKEND says otherwise (the files in test/fuse-native/
 *  run the same cases with fuse-native). Named, never "auto": a backend
 *  that cannot be used fails its tests with the reason. */
export function backendUnderTest(): FuseBackendName {
  const named = process.env.MEGAMOUNT_FUSE_BACKEND
  return (FUSE_BACKENDS as readonly string[]).includes(named ?? '') ? (named as FuseBackendName) : 'libfuse3'
}

/** scripts/asan-check.sh: the sanitizer runtime goes into the processes that
 *  load the binding, not into tap and every tool it runs. */
export function preload(): NodeJS.ProcessEnv {
  const lib = process.env.MEGAMOUNT_TEST_PRELOAD
  return lib ? { LD_PRELOAD: lib } : {}
}

export interface MountChild {
  mountpoint: string
  process: ChildProcess
  /** The fake remote's counters, asked with SIGUSR2. */
  stats(): Promise<{
    calls: Record<string, number> | null
    reads: { offset: number; length: number }[] | null
    backend: FuseBackendName
    kernel: { lookups: number; readdirs: number; reads: number; largestReadBytes: number; inodes: number; inodesShed: number; readaheadKb: number | null; native: { notificationsSent: number; requests: number; queueWaitMeanMs: number; queueWaitMaxMs: number; answeredInAddon: number } } | null
    /** The kernel connection ended without an unmount (libfuse3). */
    lost: boolean
  }>
  /** One stdin command of mount-child.ts (drain, snapshot, retry, down, up);
   *  rejects with the child's error message. */
  command<T = unknown>(line: string, timeoutMs?: number): Promise<T>
  stop(): Promise<void>
}

const CHILD = fileURLToPath(new URL('./mount-child.ts', import.meta.url))

/** Under a sanitizer (scripts/asan-check.sh) a mount takes far longer to start. */
const READY_TIMEOUT_MS = process.env.MEGAMOUNT_TEST_PRELOAD ? 180_000 : 30_000

export async function startMountChild(args: string[], readyTimeoutMs = READY_TIMEOUT_MS): Promise<MountChild> {
  // In a folder of its own: a process deep in the mount whose path passes
  // PATH_MAX (mount-limits.test.ts) makes glibc's getcwd walk up and stat
  // every entry of the folder holding the mountpoint. Straight in /tmp that
  // meant every other test's mount, and one that hung hung this test too.
  const home = await mkdtemp(join(tmpdir(), 'megamount-mnt-'))
  const mountpoint = join(home, 'mnt')
  await mkdir(mountpoint)
  const loader = import.meta.resolve('@tapjs/typescript/import')
  const child = spawn(process.execPath, [`--import=${loader}`, CHILD, '--mountpoint', mountpoint, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '', MEGAMOUNT_FUSE_BACKEND: backendUnderTest(), ...preload() },
  })
  const lines = createInterface({ input: child.stdout! })
  const waiters: { take(line: string): void; fail(err: Error): void }[] = []
  lines.on('line', line => waiters.shift()?.take(line))
  let exitCode: number | string | null = null
  child.once('exit', (code, signal) => {
    exitCode = code ?? signal
    for (const w of waiters.splice(0)) w.fail(new Error(`mount child exited with ${exitCode}`))
  })
  const nextLine = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      if (exitCode !== null) return reject(new Error(`mount child exited with ${exitCode}`))
      const waiter = {
        take: (line: string) => {
          clearTimeout(timer)
          resolve(line)
        },
        fail: (err: Error) => {
          clearTimeout(timer)
          reject(err)
        },
      }
      // A late answer must not be taken as the answer to the next question.
      // real-world wait: a bound on how long the mount child (another process) takes to answer
      const timer = setTimeout(() => waiter.fail(new Error(`mount child did not answer within ${timeoutMs} ms`)), timeoutMs)
      waiters.push(waiter)
    })

  let stopped: Promise<void> | null = null
  const handle: MountChild = {
    mountpoint,
    process: child,
    async stats() {
      const reply = nextLine(10_000)
      child.kill('SIGUSR2')
      const line = await reply
      return JSON.parse(line.replace(/^STATS /, ''))
    },
    async command<T>(line: string, timeoutMs = 120_000): Promise<T> {
      const reply = nextLine(timeoutMs)
      child.stdin!.write(line + '\n')
      const value = JSON.parse((await reply).replace(/^REPLY /, '')) as T | { error: string }
      if (value && typeof value === 'object' && 'error' in value) throw new Error(`mount child: ${value.error}`)
      return value as T
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise(resolve => child.once('exit', resolve))
          child.kill('SIGTERM')
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000) // real-world wait: the child process exits on SIGTERM
          await exited
          clearTimeout(killer)
        }
        await new Promise(resolve => execFile('fusermount', ['-uz', mountpoint], resolve))
        await rm(home, { recursive: true, force: true }).catch(() => {})
      })()
      return stopped
    },
  }
  try {
    const line = await nextLine(readyTimeoutMs)
    if (line !== 'READY') throw new Error(`mount child said ${JSON.stringify(line)} instead of READY`)
  } catch (err) {
    await handle.stop()
    throw err
  }
  return handle
}
