// Mounting a FileSystem with fuse-native (libfuse 2), the fallback backend
// where megamount's own libfuse 3 binding cannot be built or loaded.
// fuse-native is loaded only here, when a mount needs it: a missing prebuilt
// binary must not stop `megamountd --help`, nor a daemon using libfuse 3.
//
// Kernel caching: attributes and name lookups are trusted for
// KERNEL_ATTR_TIMEOUT_S seconds, and with auto_cache the page cache of a file
// is kept across opens while its size and mtime stay the same. libfuse 2
// cannot tell the kernel that something changed, so the window is kept much
// shorter than the core's own listing TTL, which decides how stale a mount
// may look; every change made through the mount goes through the core.

import { createRequire } from 'node:module'
import type Fuse from 'fuse-native'
import type { Logger } from '../../log.js'
import type { FileSystem } from '../../vfs/types.js'
import { findMount } from '../../mount-table.js'
import type { FailedOps } from '../failed-ops.js'
import { MountError } from '../mount-checks.js'
import { forceUnmount } from '../stale-mount.js'
import { createFuseAdapter } from './adapter.js'

const KERNEL_ATTR_TIMEOUT_S = 3
const MOUNT_WAIT_MS = 15_000
const UNMOUNT_WAIT_MS = 10_000
/** Largest write the kernel hands over at once (libfuse 2's limit with big_writes). */
const MAX_WRITE_BYTES = 128 * 1024

export interface FuseNativeMountOptions {
  logger: Logger
  readOnly: boolean
  fsName: string
  /** fuse-native's per-operation backstop; an op not answered in time gets ETIMEDOUT. */
  opTimeoutMs: number
  /** Operations that failed, for status (src/fuse/failed-ops.ts). */
  failedOps?: FailedOps
}

export interface FuseNativeMount {
  unmount(): Promise<void>
}

type FuseClass = typeof Fuse

/** fuse-native's class, or why it cannot be used (no prebuilt binary for
 *  this platform, libfuse 2 missing). */
export function loadFuseNative(): { ok: true; Fuse: FuseClass } | { ok: false; reason: string; fix: string } {
  try {
    return { ok: true, Fuse: createRequire(import.meta.url)('fuse-native') as FuseClass }
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]
    const noLib = /libfuse\.so\.2/.test(message)
    return {
      ok: false,
      reason: noLib ? 'fuse-native needs libfuse 2 (libfuse.so.2), which is not installed' : `fuse-native does not load (${message})`,
      fix: noLib ? 'sudo apt-get install -y libfuse2' : 'build megamount\'s own libfuse 3 binding instead: sudo apt-get install -y fuse3 libfuse3-dev pkg-config g++ make, then npm rebuild megamount',
    }
  }
}

export async function mountFuseNative(mp: string, fs: FileSystem, options: FuseNativeMountOptions): Promise<FuseNativeMount> {
  const loaded = loadFuseNative()
  if (!loaded.ok) throw new MountError('no-backend', `${loaded.reason}: ${loaded.fix}`)
  const logger = options.logger
  const adapter = createFuseAdapter(fs, { logger, readOnly: options.readOnly, opTimeoutMs: options.opTimeoutMs, failedOps: options.failedOps })
  const fuse = new loaded.Fuse(mp, adapter.ops, {
    timeout: options.opTimeoutMs,
    fsname: options.fsName.replace(/[,\s]/g, '_'),
    // fuse-native has no option for big_writes, and without it libfuse 2
    // hands writes over 4 KiB at a time (a 1 GiB copy becomes 262,144 calls
    // into JavaScript). Its options are joined with commas, so ours ride
    // along after the subtype.
    subtype: `megamount,big_writes,max_write=${MAX_WRITE_BYTES}`,
    autoCache: true,
    attrTimeout: KERNEL_ATTR_TIMEOUT_S,
    entryTimeout: KERNEL_ATTR_TIMEOUT_S,
    // Bigger reads mean fewer round trips through the adapter.
    maxRead: 128 * 1024,
  })
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      reject(new MountError('mount-failed', `mounting ${mp} did not finish within ${MOUNT_WAIT_MS / 1000} s`))
    }, MOUNT_WAIT_MS)
    fuse.mount(err => {
      clearTimeout(timer)
      if (!err) return resolvePromise()
      reject(new MountError('mount-failed', `mounting ${mp} failed: ${err.message} (libfuse's own message, if any, is on stderr)`, { cause: err }))
    })
  }).catch(async err => {
    // A half-made mount must not stay behind.
    if (await findMount(mp).catch(() => undefined)) await forceUnmount(mp).catch(() => {})
    throw err
  })

  let unmounting: Promise<void> | null = null
  return {
    unmount() {
      unmounting ??= (async () => {
        await new Promise<void>((resolvePromise, reject) => {
          // fuse-native's callback was once seen never to come (the kernel
          // mount already gone): after a while the mount table decides.
          const timer = setTimeout(() => {
            findMount(mp).then(
              found => (found ? reject(new Error(`fuse-native did not finish unmounting ${mp} within ${UNMOUNT_WAIT_MS / 1000} s`)) : resolvePromise()),
              reject,
            )
          }, UNMOUNT_WAIT_MS)
          fuse.unmount(err => {
            clearTimeout(timer)
            if (err) reject(err)
            else resolvePromise()
          })
        }).catch(async err => {
          logger.warn({ err }, 'unmount failed, forcing a lazy unmount')
          await forceUnmount(mp)
        })
        await adapter.releaseAll()
      })()
      return unmounting
    },
  }
}
