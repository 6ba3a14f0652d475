// What status and `mountctl cache` show of the mount's persistent store and
// its offline folders (src/vfs/store/, src/vfs/offline/).
import type { CacheReport, MountStatus, StoreStats } from '../control/wire-types.js'
import type { MountStore } from '../vfs/store/mount-store.js'
import type { FsStats, SupervisedFs } from './backend.js'

/** A mount's store figures, emptied first when clear: through the core while
 *  mounted, else the store itself (opened for this when the mount is stopped). */
export function storeReport(fs: SupervisedFs | null, store: MountStore | null, open: () => MountStore | null, clear: boolean): StoreStats | null {
  if (fs?.storeStats) {
    if (clear) fs.clearStore?.()
    return fs.storeStats()
  }
  const s = store ?? open()
  if (clear) s?.clear()
  const stats = s?.stats() ?? null
  if (s !== store) s?.close()
  return stats
}

/** `mountctl cache NAME`: the store's figures beside the mount's state. */
export function cacheReport(status: MountStatus, diskCacheMaxBytes: number, store: StoreStats | null, cleared: boolean): CacheReport {
  return { name: status.name, state: status.state, store, diskCacheMaxBytes, offline: status.offline ?? null, cleared }
}

export function storeStatus(stats: FsStats | null): Pick<MountStatus, 'store' | 'offline'> {
  if (!stats || stats.storedTreeAtMs === undefined) return {}
  const o = stats.offline
  return {
    store: {
      treeAt: stats.storedTreeAtMs === null ? null : new Date(stats.storedTreeAtMs).toISOString(),
      warning: stats.storeWarning ?? null,
    },
    ...(o
      ? {
          offline: {
            folders: o.folders,
            state: o.state,
            files: o.files,
            bytes: o.bytes,
            pinnedFiles: o.pinnedFiles,
            pinnedBytes: o.pinnedBytes,
            checkedAt: o.checkedAtMs === null ? null : new Date(o.checkedAtMs).toISOString(),
            error: o.error,
          },
        }
      : {}),
  }
}
