// Mounting a FileSystem, with the backend chosen in backends.ts. The mount
// checks (mount-checks.ts) run first, whichever backend mounts.

import { resolve } from 'node:path'
import type { Logger } from '../log.js'
import type { FileSystem } from '../vfs/types.js'
import { decideBackend, type BackendDecision, type FuseBackendChoice, type FuseBackendName } from './backends.js'
import { mountFuseNative } from './fuse-native/mount.js'
import { loadAddon } from './libfuse3/addon.js'
import { mountLibfuse3, type Libfuse3Stats } from './libfuse3/mount.js'
import { checkCanMount, MountError } from './mount-checks.js'
import { FailedOps, type FailedOpsSnapshot } from './failed-ops.js'

export { cleanStaleMount } from './stale-mount.js'
export { checkCanMount, MountError, type MountErrorReason } from './mount-checks.js'

export interface FuseMount {
  mountpoint: string
  backend: FuseBackendName
  /** Why this backend, and how to get libfuse3 when it is not. */
  backendWhy: string
  backendFix?: string
  unmount(): Promise<void>
  /** Kernel-side figures (libfuse3 only). */
  kernelStats(): Libfuse3Stats | null
  /** Operations that failed since the mount began (failed-ops.ts). */
  failedOps(): FailedOpsSnapshot
}

export interface MountFuseOptions {
  logger: Logger
  readOnly: boolean
  /** Shown by mount and df, e.g. megamount:photos. */
  fsName: string
  /** Per-operation backstop: an op not answered in time gets ETIMEDOUT. */
  opTimeoutMs: number
  /** Default auto: libfuse3 when its binding loads, else fuse-native. */
  backend?: FuseBackendChoice
  /** libfuse3: how long the kernel trusts attributes and names (it is told
   *  of changes); fuse-native keeps a short window of its own. */
  kernelTtlS?: number
  /** libfuse3: how long the kernel may keep "no such name" (it is told when
   *  the core learns of the name); at most kernelTtlS. Default 1. */
  negativeTtlS?: number
  /** libfuse3: file entries the kernel keeps before the oldest are shed
   *  (src/fuse/libfuse3/inode-table.ts). Default 20,000. */
  kernelFileEntries?: number
  /** libfuse3: the mount ended without unmount() (fusermount -u from outside). */
  onLost?: () => void
}

const DEFAULT_KERNEL_TTL_S = 60

export async function mountFuse(mountpoint: string, fs: FileSystem, options: MountFuseOptions): Promise<FuseMount> {
  const mp = resolve(mountpoint)
  const logger = options.logger.child({ component: 'fuse', mountpoint: mp })
  await checkCanMount(mp)
  const decision = decideBackend(options.backend ?? 'auto')
  if ('error' in decision) throw new MountError('no-backend', decision.error)
  const mounted = await mountWith(decision, mp, fs, options, logger)
  logger.info({ fsName: options.fsName, readOnly: options.readOnly, backend: mounted.backend, why: mounted.backendWhy }, 'mounted')
  return mounted
}

async function mountWith(decision: BackendDecision, mp: string, fs: FileSystem, options: MountFuseOptions, logger: Logger): Promise<FuseMount> {
  const failedOps = new FailedOps()
  const common = { mountpoint: mp, backend: decision.name, backendWhy: decision.why, backendFix: decision.fix, failedOps: () => failedOps.snapshot() }
  if (decision.name === 'libfuse3') {
    const loaded = loadAddon()
    if (!loaded.ok) throw new MountError('no-backend', `${loaded.reason}: ${loaded.fix}`)
    try {
      const m = await mountLibfuse3(loaded.addon, mp, fs, {
        logger,
        readOnly: options.readOnly,
        fsName: options.fsName,
        kernelTtlS: options.kernelTtlS ?? DEFAULT_KERNEL_TTL_S,
        negativeTtlS: Math.min(options.negativeTtlS ?? 1, options.kernelTtlS ?? DEFAULT_KERNEL_TTL_S),
        opTimeoutMs: options.opTimeoutMs,
        fileEntryLimit: options.kernelFileEntries,
        onLost: options.onLost,
        failedOps,
      })
      return { ...common, unmount: () => m.unmount(), kernelStats: () => m.stats() }
    } catch (err) {
      // auto: a libfuse 3 mount that fails for a reason of its own (an old
      // fusermount refusing an option) still leaves fuse-native to try.
      if (options.backend === 'libfuse3' || !(err instanceof MountError)) throw err
      logger.warn({ err: err.message }, 'the libfuse 3 mount failed; trying fuse-native')
      const m = await mountFuseNative(mp, fs, { logger, readOnly: options.readOnly, fsName: options.fsName, opTimeoutMs: options.opTimeoutMs, failedOps })
      return { ...common, backend: 'fuse-native', backendWhy: `fallback: the libfuse 3 mount failed (${err.message})`, unmount: () => m.unmount(), kernelStats: () => null }
    }
  }
  const m = await mountFuseNative(mp, fs, { logger, readOnly: options.readOnly, fsName: options.fsName, opTimeoutMs: options.opTimeoutMs, failedOps })
  return { ...common, unmount: () => m.unmount(), kernelStats: () => null }
}
