// Mounting a FileSystem with fuse-native, and unmounting it. Every condition
// that would make the mount fail is checked first so the message says what
// to do, instead of libfuse's bare "fuse failed".
//
// Kernel caching: attributes and name lookups are trusted for
// KERNEL_ATTR_TIMEOUT_S seconds, and with auto_cache the page cache of a file
// is kept across opens while its size and mtime stay the same. That is safe
// here because the kernel's window is much shorter than the core's own
// listing TTL, which already decides how stale a mount may look, and because
// every change made through the mount goes through the core, which
// invalidates its caches (and so the next attributes the kernel asks for).

import Fuse from 'fuse-native'
import { access, readdir, stat } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { platform } from 'node:os'
import type { Logger } from '../log.js'
import type { FileSystem } from '../vfs/types.js'
import { createFuseAdapter } from './adapter.js'
import { findMount } from '../mount-table.js'
import { forceUnmount } from './stale-mount.js'

export { cleanStaleMount } from './stale-mount.js'

const KERNEL_ATTR_TIMEOUT_S = 3
const MOUNT_WAIT_MS = 15_000
const UNMOUNT_WAIT_MS = 10_000
/** Largest write the kernel hands over at once (libfuse 2's limit with big_writes). */
const MAX_WRITE_BYTES = 128 * 1024

export interface FuseMount {
  mountpoint: string
  unmount(): Promise<void>
}

export interface MountFuseOptions {
  logger: Logger
  readOnly: boolean
  /** Shown by mount and df, e.g. megamount:photos. */
  fsName: string
  /** fuse-native's per-operation backstop; an op not answered in time gets ETIMEDOUT. */
  opTimeoutMs: number
}

export type MountErrorReason =
  | 'no-mountpoint'
  | 'not-a-folder'
  | 'not-empty'
  | 'already-mounted'
  | 'no-fuse-device'
  | 'no-fusermount'
  | 'mount-failed'

export class MountError extends Error {
  readonly reason: MountErrorReason
  constructor(reason: MountErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
    this.name = 'MountError'
  }
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    try {
      await access(join(dir, command), fsConstants.X_OK)
      return true
    } catch {}
  }
  return false
}

export async function checkCanMount(mountpoint: string): Promise<void> {
  const mp = JSON.stringify(mountpoint)
  if (platform() === 'linux') {
    try {
      await access('/dev/fuse', fsConstants.R_OK | fsConstants.W_OK)
    } catch (cause) {
      throw new MountError('no-fuse-device', 'cannot use /dev/fuse: load the fuse kernel module (sudo modprobe fuse); in a container, start it with --device /dev/fuse --cap-add SYS_ADMIN', { cause })
    }
    if (!(await onPath('fusermount'))) {
      throw new MountError('no-fusermount', 'fusermount is not installed: install it with `sudo apt-get install fuse` (Debian/Ubuntu) or your system\'s fuse package')
    }
  }
  let info
  try {
    info = await stat(mountpoint)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new MountError('no-mountpoint', `mountpoint ${mp} does not exist: create it with mkdir -p ${mp}`, { cause })
    if (code === 'ENOTCONN') throw new MountError('already-mounted', `mountpoint ${mp} holds a dead mount from a crashed process: run fusermount -uz ${mp}`, { cause })
    throw new MountError('mount-failed', `cannot inspect mountpoint ${mp}: ${(cause as Error).message}`, { cause })
  }
  if (!info.isDirectory()) throw new MountError('not-a-folder', `mountpoint ${mp} is not a folder: point the profile at an empty folder`)
  const existing = await findMount(mountpoint).catch(() => undefined)
  if (existing) {
    throw new MountError('already-mounted', `${mp} is already mounted (${existing.type} from ${existing.source}): unmount it first with fusermount -u ${mp}`)
  }
  if ((await readdir(mountpoint)).length > 0) {
    throw new MountError('not-empty', `mountpoint ${mp} is not empty: the mount would hide its files; choose an empty folder or move them away`)
  }
}

export async function mountFuse(mountpoint: string, fs: FileSystem, options: MountFuseOptions): Promise<FuseMount> {
  const mp = resolve(mountpoint)
  const logger = options.logger.child({ component: 'fuse', mountpoint: mp })
  await checkCanMount(mp)
  const adapter = createFuseAdapter(fs, { logger, readOnly: options.readOnly, opTimeoutMs: options.opTimeoutMs })
  const fuse = new Fuse(mp, adapter.ops, {
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
  logger.info({ fsName: options.fsName, readOnly: options.readOnly }, 'mounted')

  let unmounting: Promise<void> | null = null
  return {
    mountpoint: mp,
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
        logger.info('unmounted')
      })()
      return unmounting
    },
  }
}
