// Loading megamount's libfuse 3 binding (src/fuse/native/, built into
// build/Release by scripts/build-addon.mjs at install). When it is missing
// or does not load, the reason and the fix come back as data: the caller
// falls back to fuse-native and tells the user, in one line, how to get
// this one.

import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { packageInfo } from '../../package-root.js'

/** Numbers of the kernel requests, as the addon sends them. */
export type OpName =
  | 'lookup' | 'forget' | 'getattr' | 'setattr' | 'mknod' | 'mkdir' | 'unlink' | 'rmdir' | 'symlink' | 'rename'
  | 'link' | 'open' | 'read' | 'write' | 'flush' | 'release' | 'fsync' | 'opendir' | 'readdir' | 'readdirplus'
  | 'releasedir' | 'statfs' | 'access' | 'create' | 'ended'

/** dispatch(op, slot, ino, ino2, fh, off, size, flags, mode, name, name2, extra):
 *  see src/fuse/native/binding.cc (Session::CallJs). */
export type Dispatch = (
  op: number,
  slot: number,
  ino: number,
  ino2: number,
  fh: number,
  off: number,
  size: number,
  flags: number,
  mode: number,
  name: string | undefined,
  name2: string | undefined,
  extra: Buffer | Float64Array | undefined,
) => void

export interface NativeStats {
  maxWrite: number
  maxReadahead: number
  readdirplus: boolean
  notificationsSent: number
  notificationsFailed: number
  pending: number
  /** Requests handed to JavaScript, and how long they waited for the main
   *  thread on average and at most (a busy main thread slows every request). */
  requests: number
  queueWaitMeanMs: number
  queueWaitMaxMs: number
  /** Requests the addon answered itself from the attributes of files being
   *  written (src/fuse/native/attr-cache.h). */
  answeredInAddon: number
}

/** Every reply returns false when the request can no longer be answered
 *  (the session ended, or the kernel gave up on it). */
export interface NativeSession {
  replyErr(slot: number, errno: number): boolean
  replyEntry(slot: number, attrs: Float64Array, attrTimeoutS: number, entryTimeoutS: number): boolean
  /** keep: the addon may answer GETATTR, and SETATTR of the mode or owner,
   *  with these attributes until something may change them
   *  (src/fuse/native/attr-cache.h). */
  replyCreate(slot: number, attrs: Float64Array, attrTimeoutS: number, entryTimeoutS: number, fh: number, openBits: number, keep?: boolean): boolean
  replyAttr(slot: number, attrs: Float64Array, attrTimeoutS: number, keep?: boolean): boolean
  replyOpen(slot: number, fh: number, openBits: number): boolean
  replyBuf(slot: number, buffer: Buffer, length: number): boolean
  /** attrs: the file's attributes after the write, kept as replyCreate's. */
  replyWrite(slot: number, count: number, attrs?: Float64Array, attrTimeoutS?: number): boolean
  replyStatfs(slot: number, figures: Float64Array): boolean
  /** Packs entries from the start of names/attrs; returns how many fit, -1 when the session is gone. */
  replyDir(slot: number, size: number, plus: boolean, names: string[], attrs: Float64Array, firstOffset: number, attrTimeoutS: number, entryTimeoutS: number): number
  notifyInvalInode(ino: number, offset: number, length: number): void
  notifyInvalEntry(parentIno: number, name: string): void
  /** ETIMEDOUT to every request waiting longer than maxMs; returns how many. */
  expire(maxMs: number): number
  destroy(): boolean
  stats(): NativeStats
}

export interface Addon {
  Session: new (mountpoint: string, options: string, dispatch: Dispatch) => NativeSession
  ops: Record<OpName, number>
  setattrBits: Record<'mode' | 'uid' | 'gid' | 'size' | 'atime' | 'mtime' | 'atimeNow' | 'mtimeNow', number>
  libfuseVersion: number
  /** A full collection that shrinks V8's young generation, then
   *  malloc_trim (src/fuse/native/memory.cc); true when the C allocator gave
   *  memory back. Absent from a build older than this file. */
  reduceMemory?: () => boolean
}

/** open bits for replyOpen and replyCreate (binding.cc FillOpen). */
export const OPEN_KEEP_CACHE = 1
export const OPEN_CACHE_READDIR = 4

export type AddonLoad = { ok: true; addon: Addon; file: string } | { ok: false; reason: string; fix: string }

const ADDON_FILE = 'megamount_fuse3.node'
const DEFAULT_FIX =
  process.platform === 'darwin'
    ? 'install macFUSE 4.10 or newer (or FUSE-T) and the Xcode command line tools, then run npm rebuild megamount'
    : 'sudo apt-get install -y fuse3 libfuse3-dev pkg-config g++ make, then run npm rebuild megamount (or npm run build:addon in a clone)'

let cached: AddonLoad | undefined

/** The addon, or why it is not available. MEGAMOUNT_FUSE3_ADDON names
 *  another build of it (an AddressSanitizer build, for example). */
export function loadAddon(): AddonLoad {
  if (cached) return cached
  const root = packageInfo()?.root
  const file = process.env.MEGAMOUNT_FUSE3_ADDON || (root ? path.join(root, 'build', 'Release', ADDON_FILE) : '')
  if (!file || !fs.existsSync(file)) {
    cached = { ok: false, ...whyNotBuilt(root) }
    return cached
  }
  try {
    const addon = createRequire(import.meta.url)(file) as Addon
    cached = { ok: true, addon, file }
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]
    const missingLib = /libfuse3\.so|fuse3?\b.*cannot open shared object/.test(message)
    cached = {
      ok: false,
      reason: `the libfuse 3 binding does not load (${message})`,
      fix: missingLib ? 'install the libfuse 3 library: sudo apt-get install -y fuse3' : DEFAULT_FIX,
    }
  }
  return cached
}

// scripts/build-addon.mjs leaves its verdict in build/addon-status.json.
function whyNotBuilt(root: string | undefined): { reason: string; fix: string } {
  try {
    const status = JSON.parse(fs.readFileSync(path.join(root ?? '', 'build', 'addon-status.json'), 'utf8')) as { reason?: string; fix?: string }
    if (status.reason) return { reason: `the libfuse 3 binding was not built: ${status.reason}`, fix: `${status.fix ?? DEFAULT_FIX}, then run npm rebuild megamount` }
  } catch {
    // never tried (installed with --ignore-scripts, or a clone not yet set up)
  }
  return { reason: 'the libfuse 3 binding is not built', fix: DEFAULT_FIX }
}
