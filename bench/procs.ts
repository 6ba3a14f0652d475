// Every process and mount the bench starts is registered here, so that a
// normal end, an error and Ctrl-C all take down the same list: children get
// SIGTERM (then SIGKILL), mountpoints get `fusermount -uz`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs'
import { elapsedMs } from './stats.js'

const children = new Set<ChildProcess>()
const mountpoints = new Set<string>()

/** Starts a long-running process with its output going to `logFile`. */
export function startService(command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a')
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: env ?? process.env })
  closeSync(fd)
  children.add(child)
  child.once('exit', () => children.delete(child))
  child.once('error', () => children.delete(child))
  return child
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export function stopService(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export function registerMountpoint(path: string): void {
  mountpoints.add(path)
}

export function isMounted(path: string): boolean {
  const mounts = readFileSync('/proc/mounts', 'utf8')
  // /proc/mounts escapes spaces as \040; bench mountpoints have none.
  return mounts.split('\n').some((line) => line.split(' ')[1] === path)
}

export function unmount(path: string): void {
  if (isMounted(path)) spawnSync('fusermount', ['-uz', path], { stdio: 'ignore' })
}

/** Synchronous so it also works from process.on('exit'). */
export function cleanupEverything(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  }
  for (const path of mountpoints) unmount(path)
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

export async function cleanupGracefully(): Promise<void> {
  await Promise.all([...children].map((child) => stopService(child, 3000)))
  for (const path of mountpoints) unmount(path)
}

export interface TimedRun {
  ms: number
  code: number | null
  /** sha256 of stdout when output was 'hash'. */
  stdoutSha256?: string
  stdout?: string
  stdoutBytes: number
  stderr: string
}

/** Runs a command (argument array, no shell), timed in this process from
 *  spawn to the end of its output. */
export function runTimed(
  command: string,
  args: string[],
  /** discard: stdout goes to /dev/null, never through the bench. */
  options: { output: 'hash' | 'capture' | 'ignore' | 'discard'; timeoutMs: number; cwd?: string },
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    const captured: Buffer[] = []
    let stderr = ''
    let stdoutBytes = 0
    const start = process.hrtime.bigint()
    // LC_ALL=C: ls prints the same columns everywhere, which verify.ts parses.
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', options.output === 'discard' ? 'ignore' : 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } })
    children.add(child)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs / 1000} s`))
    }, options.timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length
      if (options.output === 'hash') hash.update(chunk)
      else if (options.output === 'capture') captured.push(chunk)
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 10_000) stderr += chunk.toString()
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      children.delete(child)
      reject(err)
    })
    child.once('close', (code) => {
      const ms = elapsedMs(start)
      clearTimeout(timer)
      children.delete(child)
      resolve({
        ms,
        code,
        stdoutBytes,
        stderr,
        stdoutSha256: options.output === 'hash' ? hash.digest('hex') : undefined,
        stdout: options.output === 'capture' ? Buffer.concat(captured).toString() : undefined,
      })
    })
  })
}

/** Empties the kernel's page, dentry and inode caches (root only). */
export function dropKernelCaches(): boolean {
  spawnSync('sync')
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3')
    return true
  } catch {
    return false
  }
}
