// What `mountctl status` shows of one mount, from the supervisor's cached
// state only: answering never waits on a bridge. The core's cache figures
// are kept from the last time they could be read, so they survive an unmount.
import type { RejectedProfile } from '../config/load.js'
import type { Profile } from '../config/types.js'
import { emptyUploadCounts, type MountState, type MountStatus } from '../control/wire-types.js'
import type { Logger } from '../log.js'
import type { FsStats, MountHandle, SupervisedFs } from './backend.js'
import type { Explained } from './explain-error.js'
import { storeStatus } from './mount-status-parts.js'
import type { MountUploads } from './mount-uploads.js'

export interface MountSnapshot {
  profile: Profile
  url: string | null
  warnings: string[]
  state: MountState
  wanted: boolean
  sinceMs: number
  bridge: MountStatus['bridge']
  lastError: Explained | null
  uploads: MountUploads
  fs: SupervisedFs | null
  handle: MountHandle | null
}

export class MountStatusView {
  #stats: FsStats | null = null

  constructor(private readonly logger: Logger) {}

  status(m: MountSnapshot): MountStatus {
    try {
      if (m.fs) this.#stats = m.fs.stats()
    } catch (err) {
      this.logger.warn({ err }, 'reading cache statistics failed')
    }
    const s = this.#stats
    return {
      name: m.profile.name,
      mountpoint: m.profile.mountpoint,
      url: m.url,
      megaPath: m.profile.megaPath,
      state: m.state,
      wanted: m.wanted,
      readOnly: m.profile.readOnly,
      since: new Date(m.sinceMs).toISOString(),
      bridge: { ...m.bridge },
      cache: { entries: s?.cacheEntries ?? 0, hitRate: s?.hitRate ?? 0, diskBytes: s?.diskCacheBytes ?? 0 },
      duplicateNames: s?.duplicateNames ?? 0,
      unusableNames: s?.unusableNames ?? 0,
      // A mount problem comes first; failed uploads are the next thing to fix.
      lastError: m.lastError ?? m.uploads.failure(),
      uploads: m.uploads.counts(),
      warnings: m.warnings,
      fuse: fuseStatus(m.handle),
      errors: m.handle?.failedOps?.(),
      ...storeStatus(m.fs ? s : null),
    }
  }
}

function fuseStatus(h: MountHandle | null): MountStatus['fuse'] {
  if (!h?.backend) return undefined
  return { backend: h.backend, why: h.backendWhy ?? '', fix: h.backendFix ?? null, kernel: h.kernelStats?.() ?? null }
}

/** A profile the file holds but the daemon could not take: failed, with why. */
export function rejectedStatus(r: RejectedProfile, since: string): MountStatus {
  return {
    name: r.name ?? `mounts[${r.index}]`,
    mountpoint: r.mountpoint,
    url: r.url,
    megaPath: null,
    state: 'failed',
    wanted: true,
    readOnly: false,
    since,
    bridge: { reachable: null, latencyMs: null, checkedAt: null },
    cache: { entries: 0, hitRate: 0 },
    duplicateNames: 0,
    lastError: r.error,
    uploads: emptyUploadCounts(),
  }
}
