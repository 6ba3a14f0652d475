// The status of one profile as `mountctl status --json` prints it; the daemon
// builds it from cached state only, so answering never waits on a bridge.
import type { KernelStats } from './backend.js'
import type { UploadCounts } from './upload-status.js'

export type MountState = 'mounted' | 'degraded' | 'waiting' | 'unmounted' | 'failed'

export interface MountStatus {
  name: string
  mountpoint: string | null
  url: string | null
  megaPath: string | null
  state: MountState
  /** Should be mounted: autostart, or mounted by `mountctl mount`. */
  wanted: boolean
  readOnly: boolean
  /** When the state last changed (ISO 8601). */
  since: string
  bridge: {
    /** null until the first probe. */
    reachable: boolean | null
    latencyMs: number | null
    checkedAt: string | null
  }
  /** diskBytes: file content in the disk cache (absent from older daemons). */
  cache: { entries: number; hitRate: number; diskBytes?: number }
  /** Entries hidden because a folder listed the same name twice. */
  duplicateNames: number
  lastError: { message: string; hint: string } | null
  /** The upload queue; absent only from daemons older than this field. */
  uploads?: UploadCounts
  /** Things that work but should not be so (plain HTTP to another computer);
   *  they do not change the exit status. Absent from older daemons. */
  warnings?: string[]
  /** This profile's entry in the file is now invalid (a broken edit): the
   *  mount keeps running with the profile as it was until the file is
   *  fixed. Absent from older daemons. */
  profileError?: { message: string; hint: string } | null
  /** While mounted: the FUSE backend (libfuse3 or fuse-native), why it was
   *  chosen, how to get libfuse3 when it is not the one (else null), and
   *  the kernel's figures on libfuse3 (reads, lookups, ...). */
  fuse?: { backend: string; why: string; fix: string | null; kernel: KernelStats | null }
  /** While mounted, the mount's persistent store: treeAt, when its newest
   *  listing was fetched (while degraded, the tree shown is as of then;
   *  null: nothing stored yet); warning, a store rebuilt at start or failed
   *  since (null when all is well). */
  store?: { treeAt: string | null; warning: string | null }
  /** While mounted with offline folders (profile field "offline"): files
   *  and bytes below them, how many are whole on disk, the state of the
   *  background download, when it last completed, and why it did not. */
  offline?: {
    folders: string[]
    state: 'waiting for the bridge' | 'checking' | 'downloading' | 'up to date' | 'failed'
    files: number
    bytes: number
    pinnedFiles: number
    pinnedBytes: number
    checkedAt: string | null
    error: string | null
  }
}

export interface StatusReport {
  daemon: {
    pid: number
    configFile: string
    startedAt: string
    version: string
    /** The last reload found the file unusable as a whole (not JSON, bad
     *  "settings"): nothing was changed. Absent from older daemons. */
    profileFileError?: { message: string; hint: string } | null
  }
  mounts: MountStatus[]
}

/** True when every profile that should be mounted is mounted: exit status 0. */
export function allWantedMounted(mounts: MountStatus[]): boolean {
  return mounts.every(m => !m.wanted || m.state === 'mounted')
}

/** The file as written is not in effect (a broken edit): `status` exits 1. */
export function profileFileInvalid(report: StatusReport): boolean {
  return Boolean(report.daemon.profileFileError) || report.mounts.some(m => m.profileError)
}

/** Failed uploads hold data that has not reached MEGA: `status` exits 1. */
export function anyUploadFailed(mounts: MountStatus[]): boolean {
  return mounts.some(m => (m.uploads?.failed ?? 0) > 0)
}
