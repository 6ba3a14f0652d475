// The two WebDAV servers the mounts are measured against: Debian's
// `rclone serve webdav` over the data as it is, and the project's MEGA bridge
// emulator with MEGA-like conditions (latency before the first byte, one
// request per connection, a bandwidth cap).
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { ServerName } from './options.js'
import { startService, stopService } from './procs.js'

export interface BenchServer {
  name: ServerName
  /** The served folder's URL, ending in '/'. */
  url: string
  /** The local folder behind it, polled to see when a write is "on the server". */
  root: string
  /** Flags that describe it, for the report. */
  description: string
  /** Extra rclone flags a client of this server needs. */
  rcloneClientFlags: string[]
  process: ChildProcess
  logFile: string
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function logTail(logFile: string): string {
  if (!existsSync(logFile)) return '(no log)'
  return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')
}

async function waitUntil(what: string, child: ChildProcess, logFile: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited early (code ${child.exitCode}, signal ${child.signalCode}); its log ends:\n${logTail(logFile)}`)
    }
    if (await check()) return
    await delay(100)
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s; its log ends:\n${logTail(logFile)}`)
}

async function answersPropfind(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'PROPFIND', headers: { Depth: '0' } })
    await res.arrayBuffer()
    return res.status === 207
  } catch {
    return false
  }
}

export async function startRcloneServer(root: string, workDir: string): Promise<BenchServer> {
  const port = await freePort()
  const logFile = join(workDir, 'rclone-serve.log')
  const args = ['serve', 'webdav', root, '--addr', `127.0.0.1:${port}`, '--config', join(workDir, 'rclone.conf')]
  const child = startService('rclone', args, logFile)
  const url = `http://127.0.0.1:${port}/`
  await waitUntil('rclone serve webdav', child, logFile, () => answersPropfind(url))
  return {
    name: 'rclone',
    url,
    root,
    description: 'rclone serve webdav (defaults: --vfs-cache-mode off, --dir-cache-time 5m)',
    rcloneClientFlags: [],
    process: child,
    logFile,
  }
}

export async function startEmulator(
  accountDir: string,
  workDir: string,
  options: { latencyMs: number; bandwidthMbps: number; emulatorMain: string },
): Promise<BenchServer> {
  if (!existsSync(options.emulatorMain)) {
    throw new Error(`the bridge emulator is not built (${options.emulatorMain} is missing): run npm run build, or use --server rclone`)
  }
  const port = await freePort()
  const logFile = join(workDir, 'emulator.log')
  const flags = ['--latency-ms', String(options.latencyMs), '--bandwidth-mbps', String(options.bandwidthMbps)]
  const args = [options.emulatorMain, '--account', accountDir, '--serve', '/Bench', '--port', String(port), ...flags]
  const child = startService(process.execPath, args, logFile)
  let url = ''
  await waitUntil('the bridge emulator', child, logFile, () => {
    const match = /Serving via webdav \/Bench: (http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'))
    if (match) url = match[1].endsWith('/') ? match[1] : `${match[1]}/`
    return match !== null
  })
  await waitUntil('the bridge emulator', child, logFile, () => answersPropfind(url))
  return {
    name: 'emulator',
    url,
    root: join(accountDir, 'Bench'),
    description: `bridge emulator (${flags.join(' ')}, one request per connection)`,
    // The bridge closes every connection; without this rclone's pooled
    // sockets hit resets and retries, which would measure rclone unfairly.
    rcloneClientFlags: ['--disable-http-keep-alives'],
    process: child,
    logFile,
  }
}

export async function stopServer(server: BenchServer): Promise<void> {
  await stopService(server.process)
}
