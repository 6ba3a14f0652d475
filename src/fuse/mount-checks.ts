// Every condition that would make a mount fail, checked before either
// backend tries, so the message says what to do instead of libfuse's bare
// "fuse failed". Shared by both backends.

import { access, readdir, stat } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { platform } from 'node:os'
import { findMount } from '../mount-table.js'

export type MountErrorReason =
  | 'no-mountpoint'
  | 'not-a-folder'
  | 'not-empty'
  | 'already-mounted'
  | 'no-fuse-device'
  | 'no-fusermount'
  | 'no-backend'
  | 'mount-failed'

export class MountError extends Error {
  readonly reason: MountErrorReason
  constructor(reason: MountErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.reason = reason
    this.name = 'MountError'
  }
}

export async function onPath(command: string): Promise<boolean> {
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
    if (!(await onPath('fusermount')) && !(await onPath('fusermount3'))) {
      throw new MountError('no-fusermount', "fusermount is not installed: install it with `sudo apt-get install fuse3` (Debian/Ubuntu) or your system's fuse3 package")
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
