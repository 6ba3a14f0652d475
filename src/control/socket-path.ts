// Getting the control socket's path ready: short enough for sun_path, in a
// private folder, replacing the file a crashed daemon left, and refusing to
// take over the socket of a daemon that is still running.
import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { ControlError } from './protocol.js'

/** sun_path's size, terminating NUL included. */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'darwin' ? 104 : 108
}

export function checkSocketPathLength(socketPath: string, platform: NodeJS.Platform = process.platform): void {
  const bytes = Buffer.byteLength(socketPath)
  const max = maxSocketPathBytes(platform)
  if (bytes >= max) {
    throw new ControlError(
      `the control socket path is ${bytes} bytes, too long for a Unix socket (at most ${max - 1} on ${platform === 'darwin' ? 'macOS' : 'Linux'}): ${socketPath}`,
      'use --socket with a shorter path (or set MEGAMOUNT_SOCKET), e.g. --socket /tmp/megamount-$(id -u).sock, and pass the same --socket to mountctl',
    )
  }
}

/** Connects to see whether a daemon answers on the socket. */
export function socketIsLive(socketPath: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise(resolve => {
    const conn = net.connect(socketPath)
    const timer = setTimeout(() => {
      conn.destroy()
      resolve(true) // accepted but silent: something owns it
    }, timeoutMs)
    conn.once('connect', () => {
      clearTimeout(timer)
      conn.destroy()
      resolve(true)
    })
    conn.once('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}

/** Returns true when a stale socket file was removed. */
export async function prepareSocketPath(socketPath: string): Promise<{ removedStale: boolean }> {
  checkSocketPathLength(socketPath)
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 })
  let stat
  try {
    stat = await fs.lstat(socketPath)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { removedStale: false }
    throw err
  }
  if (!stat.isSocket()) {
    throw new ControlError(`${socketPath} exists and is not a socket`, 'remove that file, or use --socket with another path')
  }
  if (await socketIsLive(socketPath)) {
    throw new ControlError(
      `another megamountd is already running on ${socketPath}`,
      'stop it first (kill its process, or systemctl --user stop megamount), or start this one with its own --socket',
    )
  }
  await fs.unlink(socketPath)
  return { removedStale: true }
}
