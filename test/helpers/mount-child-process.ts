// Starts test/helpers/mount-child.ts in a child process with the same
// TypeScript loader tap uses, waits for its READY line, and always cleans up:
// SIGTERM, then SIGKILL, then `fusermount -uz` whatever happened.

import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

export interface MountChild {
  mountpoint: string
  process: ChildProcess
  /** The fake remote's counters, asked with SIGUSR2. */
  stats(): Promise<{ calls: Record<string, number> | null; reads: { offset: number; length: number }[] | null }>
  stop(): Promise<void>
}

const CHILD = fileURLToPath(new URL('./mount-child.ts', import.meta.url))

export async function startMountChild(args: string[], readyTimeoutMs = 30_000): Promise<MountChild> {
  const mountpoint = await mkdtemp(join(tmpdir(), 'megamount-mnt-'))
  const loader = import.meta.resolve('@tapjs/typescript/import')
  const child = spawn(process.execPath, [`--import=${loader}`, CHILD, '--mountpoint', mountpoint, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', NODE_OPTIONS: '' },
  })
  const lines = createInterface({ input: child.stdout! })
  const waiters: ((line: string) => void)[] = []
  lines.on('line', line => waiters.shift()?.(line))
  const nextLine = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('mount child did not answer in time')), timeoutMs)
      waiters.push(line => {
        clearTimeout(timer)
        resolve(line)
      })
      child.once('exit', code => reject(new Error(`mount child exited with ${code}`)))
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
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise(resolve => child.once('exit', resolve))
          child.kill('SIGTERM')
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
          await exited
          clearTimeout(killer)
        }
        await new Promise(resolve => execFile('fusermount', ['-uz', mountpoint], resolve))
        await rm(mountpoint, { recursive: true, force: true }).catch(() => {})
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
