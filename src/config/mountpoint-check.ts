// Whether a folder can take a mount. A FUSE mount of ours, live or dead (its
// daemon was killed: stat fails with ENOTCONN), is fine: the daemon cleans it
// up before mounting. A folder inside a megamount mount is not: mounting
// there would create the folder on MEGA through that mount and hide it.
// Anything else in the way is reported with what to do.
import fs from 'node:fs/promises'
import path from 'node:path'
import type { MountRecord } from '../mount-table.js'

/** The fsname every megamount mount carries, visible in /proc/mounts and `mount`. */
export function fsNameFor(profileName: string): string {
  return `megamount:${profileName}`
}

export interface MountpointProblem {
  problem: string
  hint: string
}

/** A mount of megamount, of this daemon or another, live or dead. */
export function isMegamountRecord(r: MountRecord): boolean {
  return r.source.startsWith('megamount') || r.type === 'fuse.megamount'
}

/** The megamount mount that `mountpoint` (a real path) lies inside, if any. */
export function mountpointInsideMegamount(mountpoint: string, mountTable: MountRecord[]): MountRecord | null {
  for (const r of mountTable) {
    if (!isMegamountRecord(r)) continue
    const rel = path.relative(r.mountpoint, mountpoint)
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return r
  }
  return null
}

export function insideMegamountProblem(mountpoint: string, outer: MountRecord): MountpointProblem {
  const name = outer.source.startsWith('megamount:') ? outer.source.slice('megamount:'.length) : outer.source
  return {
    problem: `"${mountpoint}" is inside the megamount mount "${name}" at ${outer.mountpoint}`,
    hint: 'a mount there would be a folder on MEGA hidden under another mount: choose a folder outside every megamount mount (to see a MEGA folder inside it, just open it there)',
  }
}

/** The path with every symbolic link in it followed, as the kernel will
 *  when mounting; the part that does not exist yet is kept as written (a
 *  link to a missing folder resolves to that folder). The last component is
 *  only read as a link, never stat'ed: it may be a live mount of ours whose
 *  bridge hangs. */
export async function resolveMountpoint(mountpoint: string, depth = 0): Promise<string> {
  if (depth > 40) throw Object.assign(new Error(`too many levels of symbolic links in ${mountpoint}`), { code: 'ELOOP' })
  const parent = path.dirname(mountpoint)
  if (parent === mountpoint) return mountpoint
  const realParent = await realFolder(parent, depth)
  const here = path.join(realParent, path.basename(mountpoint))
  const link = await fs.readlink(here).catch(() => null)
  return link === null ? here : resolveMountpoint(path.resolve(realParent, link), depth + 1)
}

async function realFolder(folder: string, depth: number): Promise<string> {
  try {
    return await fs.realpath(folder)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTCONN') throw err
    return resolveMountpoint(folder, depth + 1)
  }
}

export async function checkMountpoint(
  mountpoint: string,
  options: { mountTable: MountRecord[]; ownMountpoints?: ReadonlySet<string> },
): Promise<MountpointProblem | null> {
  const outer = mountpointInsideMegamount(mountpoint, options.mountTable)
  if (outer) return insideMegamountProblem(mountpoint, outer)
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
    if (isMegamountRecord(mounted)) return null
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
