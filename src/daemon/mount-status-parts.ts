// Parts of a mount's status taken from the layers below the supervisor: the
// FUSE backend, the persistent store and the offline folders (src/vfs/store/,
// src/vfs/offline/).
import type { MountStore, MountStoreStats } from '../vfs/store/mount-store.js'
import type { FsStats, MountHandle, SupervisedFs } from './backend.js'
import type { MountStatus } from './mount-status.js'

/** A mount's store figures, emptied first when clear: through the core while
 *  mounted, else the store itself (opened for this when the mount is stopped). */
export function storeReport(fs: SupervisedFs | null, store: MountStore | null, open: () => MountStore | null, clear: boolean): MountStoreStats | null {
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

export function fuseStatus(h: MountHandle | null): MountStatus['fuse'] {
  if (!h?.backend) return undefined
  return { backend: h.backend, why: h.backendWhy ?? '', fix: h.backendFix ?? null, kernel: h.kernelStats?.() ?? null }
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
