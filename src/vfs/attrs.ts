// How remote entries look to ls -l, stat, du and file managers. MEGA has no
// owners or permission bits, so every entry belongs to the daemon's user and
// gets fixed modes; times come from the server where it has them.

import type { RemoteEntry } from '../remote/remote.js'
import type { Attr } from './types.js'

const S_IFDIR = 0o040000
const S_IFREG = 0o100000

export interface AttrContext {
  readOnly: boolean
  uid: number
  gid: number
  /** Shown for folders whose time is unknown (MEGA reports 1970 for all). */
  mountTimeMs: number
}

export function processOwner(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }
}

function build(isDir: boolean, size: number, timeMs: number, ctx: AttrContext): Attr {
  const perm = isDir ? (ctx.readOnly ? 0o555 : 0o755) : ctx.readOnly ? 0o444 : 0o644
  return {
    mode: (isDir ? S_IFDIR : S_IFREG) | perm,
    size,
    // 2 for folders: tools like find use nlink-2 as a subfolder count hint
    // only when it is larger than 2, so 2 means "do not guess".
    nlink: isDir ? 2 : 1,
    uid: ctx.uid,
    gid: ctx.gid,
    atimeMs: timeMs,
    mtimeMs: timeMs,
    ctimeMs: timeMs,
    blocks: Math.ceil(size / 512),
  }
}

export function fileAttr(entry: RemoteEntry, ctx: AttrContext): Attr {
  return build(false, entry.size, entry.mtimeMs ?? entry.ctimeMs ?? ctx.mountTimeMs, ctx)
}

/** newestChildMs: the newest mtime among the folder's children when its
 *  listing is known, used when the server gives the folder no time. */
export function folderAttr(entry: RemoteEntry | null, newestChildMs: number | null, ctx: AttrContext): Attr {
  return build(true, 0, entry?.mtimeMs ?? newestChildMs ?? ctx.mountTimeMs, ctx)
}

export function entryAttr(entry: RemoteEntry, newestChildMs: number | null, ctx: AttrContext): Attr {
  return entry.isDir ? folderAttr(entry, newestChildMs, ctx) : fileAttr(entry, ctx)
}
