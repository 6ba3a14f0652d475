// Parts of a mount's status taken from the layers below the supervisor: the
// FUSE backend, the persistent store and the offline folders (src/vfs/store/,
// src/vfs/offline/).
import type { FsStats, MountHandle } from './backend.js'
import type { MountStatus } from './mount-status.js'

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
