// The PATH the daemon runs with. A service manager starts it with a minimal
// PATH (systemd: /usr/local/bin:/usr/bin:/bin; launchd: /usr/bin:/bin:...),
// where neither node's folder, nor MEGAcmd's on macOS, nor always fusermount
// are found. Order: node's folder, MEGAcmd's folder, the installing shell's
// absolute PATH entries, then the system folders.
import path from 'node:path'
import { DEFAULT_STOP_TIMEOUT_SECONDS } from '../config/service-timeouts.js'
import type { ServiceInputs } from './types.js'

const LINUX_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
const MACOS_DIRS = [
  '/Applications/MEGAcmd.app/Contents/MacOS', // where MEGAcmd's installer puts mega-*
  '/opt/homebrew/bin',
  '/usr/local/bin',
  '/usr/bin',
  '/bin',
  '/usr/sbin',
  '/sbin',
]

export function daemonPath(options: {
  platform: NodeJS.Platform
  nodePath: string
  megacmdPath: string | null
  currentPath: string | undefined
}): string {
  const dirs = [
    path.dirname(options.nodePath),
    ...(options.megacmdPath ? [options.megacmdPath] : []),
    ...(options.currentPath ?? '').split(':').filter((d) => path.isAbsolute(d)),
    ...(options.platform === 'darwin' ? MACOS_DIRS : LINUX_DIRS),
  ]
  return [...new Set(dirs.map((d) => path.normalize(d).replace(/(.)\/$/, '$1')))].join(':')
}

/** glibc's allocator settings for a long-running daemon, read by glibc
 *  before node starts (so only whatever starts the daemon can set them).
 *  The read path allocates a buffer per download, up to the 8 MiB read-ahead
 *  window. By default glibc raises its mmap threshold to the largest block
 *  freed, so later windows come from the heap and stay resident after they
 *  are freed; and each thread of the pool gets its own arena. A fixed
 *  threshold gives freed windows back to the system at once: about 20 MiB
 *  less resident memory after reading a 256 MiB file (docs/performance.md). */
export const LINUX_ALLOCATOR_ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['MALLOC_ARENA_MAX', '2'],
  ['MALLOC_MMAP_THRESHOLD_', '131072'],
]

/** The environment both service managers give the daemon: the PATH above,
 *  where its state (and, when chosen, its socket) is, so that mountctl run
 *  from a shell finds the same daemon, the drain at stop, and on Linux the
 *  allocator settings. */
export function daemonEnvironment(i: ServiceInputs): Array<[string, string]> {
  const env: Array<[string, string]> = [
    ['PATH', daemonPath({ platform: i.platform, nodePath: i.nodePath, megacmdPath: i.megacmdPath, currentPath: i.env.PATH })],
    ['MEGAMOUNT_STATE_DIR', i.stateDir],
    // The drain the unit's stop timeout is sized for (src/config/service-timeouts.ts).
    ['MEGAMOUNT_STOP_TIMEOUT_SECONDS', String(DEFAULT_STOP_TIMEOUT_SECONDS)],
  ]
  if (i.platform === 'linux') env.push(...LINUX_ALLOCATOR_ENVIRONMENT.map(([k, v]): [string, string] => [k, v]))
  if (i.socketPath) env.push(['MEGAMOUNT_SOCKET', i.socketPath])
  return env
}
