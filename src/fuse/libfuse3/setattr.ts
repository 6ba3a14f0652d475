// One kernel SETATTR applied to the core: chmod, chown, truncate and times,
// each only when its bit is set, in that order. The bits are libfuse's
// FUSE_SET_ATTR_* values, read from the addon at mount.
import type { Attr, FileHandle, FileSystem } from '../../vfs/types.js'

export type SetattrBits = Record<'mode' | 'uid' | 'gid' | 'size' | 'atime' | 'mtime' | 'atimeNow' | 'mtimeNow', number>

/** path: null for a file open but no longer named (truncate through its
 *  handle still works). values: size, atime, mtime (ms), mode, uid, gid. */
export async function applySetattr(fs: FileSystem, path: string | null, open: FileHandle | undefined, flags: number, values: Float64Array, bits: SetattrBits, nowMs: number): Promise<Attr> {
  const [size, atimeMs, mtimeMs, mode, uid, gid] = values
  if (flags & bits.mode) await fs.chmod(path!, mode!)
  if (flags & (bits.uid | bits.gid)) await fs.chown(path!, flags & bits.uid ? uid! : -1, flags & bits.gid ? gid! : -1)
  if (flags & bits.size) {
    if (open) await open.truncate(size!)
    else await fs.truncate(path!, size!)
  }
  // MEGA keeps no access time: only a new modification time is applied.
  if (flags & bits.mtime) {
    const mtime = flags & bits.mtimeNow ? nowMs : mtimeMs!
    const atime = flags & bits.atime ? (flags & bits.atimeNow ? nowMs : atimeMs!) : mtime
    await fs.utimens(path!, atime, mtime)
  }
  return open ? open.getattr() : fs.getattr(path!)
}
