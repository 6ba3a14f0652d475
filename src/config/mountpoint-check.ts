// Whether a folder can take a mount. A FUSE mount of ours, live or dead (its
// daemon was killed: stat fails with ENOTCONN), is fine: the daemon cleans it
// up before mounting. Anything else in the way is reported with what to do.
import fs from 'node:fs/promises'

/** The fsname every megamount mount carries, visible in /proc/mounts and `mount`. */
export function fsNameFor(profileName: string): string {
  return `megamount:${profileName}`
}

export interface MountTableEntry {
  source: string
  mountpoint: string
  fsType: string
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

export function parseMountTable(text: string): MountTableEntry[] {
  const out: MountTableEntry[] = []
  for (const line of text.split('\n')) {
    const [source, mountpoint, fsType] = line.split(' ')
    if (!source || !mountpoint || !fsType) continue
    out.push({ source: unescapeMountField(source), mountpoint: unescapeMountField(mountpoint), fsType })
  }
  return out
}

/** Linux's mount table; empty where there is no /proc (macOS). */
export async function readMountTable(file = '/proc/mounts'): Promise<MountTableEntry[]> {
  try {
    return parseMountTable(await fs.readFile(file, 'utf8'))
  } catch {
    return []
  }
}

export interface MountpointProblem {
  problem: string
  hint: string
}

export async function checkMountpoint(
  mountpoint: string,
  options: { mountTable: MountTableEntry[]; ownMountpoints?: ReadonlySet<string> },
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
    if (mounted.source.startsWith('megamount') || mounted.fsType === 'fuse.megamount') return null
    return {
      problem: `"${mountpoint}" is already the mountpoint of ${mounted.fsType} (${mounted.source})`,
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
