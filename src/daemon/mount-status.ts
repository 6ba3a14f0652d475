// What `mountctl status` shows of one mount, from the supervisor's cached
// state only: answering never waits on a bridge. The core's cache figures
// are kept from the last time they could be read, so they survive an unmount.
import type { Profile } from '../config/types.js'
import type { MountState, MountStatus } from '../control/wire-types.js'
import type { Logger } from '../log.js'
import type { MountHandle, SupervisedFs } from './backend.js'
import type { Explained } from './explain-error.js'
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
  #cache = { entries: 0, hitRate: 0, duplicateNames: 0, unusableNames: 0, diskBytes: 0 }

  constructor(private readonly logger: Logger) {}

  status(m: MountSnapshot): MountStatus {
    if (m.fs) {
      try {
        const s = m.fs.stats()
        this.#cache = { entries: s.cacheEntries, hitRate: s.hitRate, duplicateNames: s.duplicateNames, unusableNames: s.unusableNames ?? 0, diskBytes: s.diskCacheBytes }
      } catch (err) {
        this.logger.warn({ err }, 'reading cache statistics failed')
      }
    }
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
      cache: { entries: this.#cache.entries, hitRate: this.#cache.hitRate, diskBytes: this.#cache.diskBytes },
      duplicateNames: this.#cache.duplicateNames,
      unusableNames: this.#cache.unusableNames,
      // A mount problem comes first; failed uploads are the next thing to fix.
      lastError: m.lastError ?? m.uploads.failure(),
      uploads: m.uploads.counts(),
      warnings: m.warnings,
      fuse: fuseStatus(m.handle),
    }
  }
}

function fuseStatus(h: MountHandle | null): MountStatus['fuse'] {
  if (!h?.backend) return undefined
  return { backend: h.backend, why: h.backendWhy ?? '', fix: h.backendFix ?? null, kernel: h.kernelStats?.() ?? null }
}
