// The PATH the daemon runs with. A service manager starts it with a minimal
// PATH (systemd: /usr/local/bin:/usr/bin:/bin; launchd: /usr/bin:/bin:...),
// where neither node's folder, nor MEGAcmd's on macOS, nor always fusermount
// are found. Order: node's folder, MEGAcmd's folder, the installing shell's
// absolute PATH entries, then the system folders.
import path from 'node:path'
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

/** The environment both service managers give the daemon: the PATH above,
 *  and where its state (and, when chosen, its socket) is, so that mountctl
 *  run from a shell finds the same daemon. */
export function daemonEnvironment(i: ServiceInputs): Array<[string, string]> {
  const env: Array<[string, string]> = [
    ['PATH', daemonPath({ platform: i.platform, nodePath: i.nodePath, megacmdPath: i.megacmdPath, currentPath: i.env.PATH })],
    ['MEGAMOUNT_STATE_DIR', i.stateDir],
  ]
  if (i.socketPath) env.push(['MEGAMOUNT_SOCKET', i.socketPath])
  return env
}
