// Whether a folder can take a mount. A FUSE mount of ours, live or dead (its
// daemon was killed: stat fails with ENOTCONN), is fine: the daemon cleans it
// up before mounting. Anything else in the way is reported with what to do.
import fs from 'node:fs/promises'
import type { MountRecord } from '../mount-table.js'

/** The fsname every megamount mount carries, visible in /proc/mounts and `mount`. */
export function fsNameFor(profileName: string): string {
  return `megamount:${profileName}`
}

export interface MountpointProblem {
  problem: string
  hint: string
}

export async function checkMountpoint(
  mountpoint: string,
  options: { mountTable: MountRecord[]; ownMountpoints?: ReadonlySet<string> },
): Promise<MountpointProblem | null> {
  if (options.ownMountpoints?.has(mountpoint)) return null
  let stat
  try {
    stat = await fs.stat(mountpoint)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ENOTCONN') return null
    return {
      problem: `cannot be checked: ${(err as Error).message}`,
      hint: 'make sure you can read the folder, or choose another mountpoint',
    }
  }
  if (!stat.isDirectory()) {
    return {
      problem: `"${mountpoint}" exists and is not a folder`,
      hint: 'choose a folder path for "mountpoint", or move that file away',
    }
  }
  const mounted = options.mountTable.filter(m => m.mountpoint === mountpoint).at(-1)
  if (mounted) {
    if (mounted.source.startsWith('megamount') || mounted.type === 'fuse.megamount') return null
    return {
      problem: `"${mountpoint}" is already the mountpoint of ${mounted.type} (${mounted.source})`,
      hint: `unmount it first (fusermount -u "${mountpoint}" or umount) or choose another folder`,
    }
  }
  let names: string[]
  try {
    names = await fs.readdir(mountpoint)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTCONN') return null
    return {
      problem: `cannot be listed: ${(err as Error).message}`,
      hint: 'make sure you can read the folder, or choose another mountpoint',
    }
  }
  if (names.length > 0) {
    return {
      problem: `"${mountpoint}" is not empty (${names.length} entr${names.length === 1 ? 'y' : 'ies'}, e.g. "${names[0]}")`,
      hint: 'mounting would hide those files: choose an empty or missing folder (it is created), or move them away',
    }
  }
  return null
}
