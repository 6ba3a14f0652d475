// Mounting a FileSystem with megamount's libfuse 3 binding, and unmounting
// it. The kernel connection runs on a thread of the addon; requests reach
// LowLevelAdapter on the main thread; mount options are in mount-options.ts
// (auto_unmount on Linux). Kernel caches are trusted for kernelTtlS, kept
// honest by invalidations (invalidator.ts).

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Logger } from '../../log.js'
import type { FileSystem } from '../../vfs/types.js'
import { findMount } from '../../mount-table.js'
import { MountError } from '../mount-checks.js'
import { forceUnmount } from '../stale-mount.js'
import type { Addon, NativeStats } from './addon.js'
import { LowLevelAdapter, type KernelCounters } from './adapter.js'
import { mountOptions } from './mount-options.js'
import type { FailedOps } from '../failed-ops.js'
import { raiseReadahead } from './readahead.js'

const execFileAsync = promisify(execFile)

/** How long an unmount waits for the kernel connection to end. */
const UNMOUNT_WAIT_MS = 10_000

export interface Libfuse3MountOptions {
  logger: Logger
  readOnly: boolean
  fsName: string
  kernelTtlS: number
  negativeTtlS: number
  /** File entries the kernel keeps before the oldest are shed (inode-table.ts). */
  fileEntryLimit?: number
  /** An operation not answered in this time gets ETIMEDOUT (a backstop: the
   *  core bounds its own requests), so no program hangs on the mount. */
  opTimeoutMs: number
  /** Called when the kernel connection ends without unmount() (someone
   *  ran fusermount -u, or the kernel aborted it). */
  onLost?: () => void
  /** Operations that failed, for status (src/fuse/failed-ops.ts). */
  failedOps?: FailedOps
}

export interface Libfuse3Stats extends KernelCounters {
  inodes: number
  /** File entries the kernel was asked to drop to bound the table (inode-table.ts). */
  inodesShed: number
  openFiles: number
  readaheadKb: number | null
  native: NativeStats
}

export interface Libfuse3Mount {
  unmount(): Promise<void>
  stats(): Libfuse3Stats
}

export async function mountLibfuse3(addon: Addon, mp: string, fs: FileSystem, options: Libfuse3MountOptions): Promise<Libfuse3Mount> {
  const logger = options.logger
  const adapter = new LowLevelAdapter(fs, { logger, readOnly: options.readOnly, kernelTtlS: options.kernelTtlS, negativeTtlS: options.negativeTtlS, fileEntryLimit: options.fileEntryLimit, failedOps: options.failedOps })
  let unmounting = false
  let resolveEnded!: () => void
  const ended = new Promise<void>(resolve => (resolveEnded = resolve))
  let session
  try {
    session = new addon.Session(mp, mountOptions(options.fsName), adapter.dispatch)
  } catch (err) {
    throw new MountError('mount-failed', `mounting ${mp} failed: ${(err as Error).message}`, { cause: err })
  }
  const unwatch = fs.watch?.(change => adapter.changed(change))
  adapter.setSetattrBits(addon.setattrBits)
  const sweep = setInterval(() => {
    const expired = session.expire(options.opTimeoutMs)
    if (expired > 0) {
      logger.warn({ expired, opTimeoutMs: options.opTimeoutMs }, 'operations not answered in time were failed with ETIMEDOUT')
      options.failedOps?.noteTimedOut(expired, `${expired} kernel request(s) not answered within ${options.opTimeoutMs} ms`)
    }
  }, Math.min(1000, options.opTimeoutMs / 4)).unref()
  adapter.attach(session, addon.ops, () => {
    // The kernel connection is gone: what is still open is released (its
    // writes are staged already) and the session freed. The mount has ended
    // once every release, also those answered before, has finished: the
    // caller closes the core next.
    clearInterval(sweep)
    unwatch?.()
    session.destroy()
    adapter.releaseAll()
      .catch(err => logger.warn({ err }, 'releasing open files after the mount ended failed'))
      .finally(() => {
        resolveEnded()
        if (!unmounting) {
          logger.warn('the mount was removed from outside (fusermount -u, or the kernel ended it)')
          options.onLost?.()
        }
      })
  })
  const readahead = await raiseReadahead(mp).catch(err => ({ kb: null, error: (err as Error).message }))
  if (readahead.error) logger.info({ readaheadKb: readahead.kb, error: readahead.error }, 'could not raise the mount\'s readahead to 1 MiB (needs root): reads stay in smaller pieces')

  return {
    async unmount() {
      if (unmounting) return ended
      unmounting = true
      try {
        await execFileAsync(process.platform === 'darwin' ? 'umount' : 'fusermount', ['-u', mp])
      } catch (err) {
        const e = err as { stderr?: string; message: string }
        if (await findMount(mp).catch(() => undefined)) {
          logger.warn({ err: (e.stderr || e.message).trim() }, 'unmount failed, forcing a lazy unmount')
          await forceUnmount(mp)
        }
      }
      // Files still open after a lazy unmount keep the connection alive
      // until they close; the process may still exit, the kernel cleans up.
      // The timer is cleared once the race is decided: a pending one holds
      // this whole mount (adapter, core, read-ahead windows) for 10 s.
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<'late'>(resolve => (timer = setTimeout(() => resolve('late'), UNMOUNT_WAIT_MS).unref()))
      const outcome = await Promise.race([ended, late])
      clearTimeout(timer)
      if (outcome === 'late') logger.warn('the kernel connection is still in use after unmounting; it ends when the last file is closed')
    },
    stats() {
      return {
        ...adapter.counters,
        inodes: adapter.table.size,
        inodesShed: adapter.table.shedCount,
        openFiles: adapter.openHandles(),
        readaheadKb: readahead.kb,
        native: session.stats(),
      }
    },
  }
}
