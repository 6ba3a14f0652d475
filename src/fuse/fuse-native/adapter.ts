// Kernel requests to FileSystem calls: each FUSE operation maps to exactly
// one call on the core, and kernel file handles map to FileHandle objects.
// Nothing here knows about MEGA, caches or the bridge.
//
// Kernel semantics worth knowing:
// - flush comes once per close(2) of each duplicated descriptor, release
//   exactly once when the last one goes: only release frees the handle.
// - fgetattr is routed by fuse-native to getattr(path) (its own quirk).
// - fd 0 means "no handle" to fuse-native's open, so handles start at 1.
// - utimens: fuse-native 2.2 passes the access time for both times (its C
//   side copies atime twice); see kernelTimeMs for what arrives and why.

import type { FuseOperations, FuseStat, FuseStatFs } from 'fuse-native'
import { constants as fsConstants } from 'node:fs'
import { systemClock, type Clock } from '../../clock.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Attr, FileHandle, FileSystem, StatFs } from '../../vfs/types.js'
import { fuseCodeFor } from '../errno.js'
import type { FailedOps } from '../failed-ops.js'

/** fuse-native passes statfs figures as 32-bit integers. */
const UINT32_MAX = 0xffffffff
/** st_blksize: the I/O size programs like cp use per read. */
const PREFERRED_IO_BYTES = 128 * 1024

export interface AdapterOptions {
  logger: Logger
  /** Writes answer EROFS to access(W_OK) too, so file managers grey them out. */
  readOnly: boolean
  /** fuse-native answers ETIMEDOUT after this; a handle opened later is dropped. */
  opTimeoutMs: number
  /** For utimens asking for "now". Default: the system clock. */
  clock?: Clock
  /** Operations that failed, for status (failed-ops.ts). */
  failedOps?: FailedOps
}

export interface FuseAdapter {
  ops: FuseOperations
  /** Handles the kernel holds right now. */
  openHandles(): number
  /** Release every handle (at unmount). */
  releaseAll(): Promise<void>
}

export function toFuseStat(attr: Attr): FuseStat {
  return {
    mode: attr.mode,
    uid: attr.uid,
    gid: attr.gid,
    size: attr.size,
    nlink: attr.nlink,
    blocks: attr.blocks,
    blksize: PREFERRED_IO_BYTES,
    atime: attr.atimeMs,
    mtime: attr.mtimeMs,
    ctime: attr.ctimeMs,
  }
}

/** Scales the block size up until the counts fit fuse-native's 32 bits
 *  (1 PiB in 4 KiB blocks would not). */
export function toFuseStatFs(s: StatFs): FuseStatFs {
  let scale = 1
  while (s.blocks / scale > UINT32_MAX) scale *= 2
  const clamp = (n: number) => Math.min(UINT32_MAX, Math.max(0, Math.floor(n)))
  return {
    bsize: s.blockSize * scale,
    frsize: s.blockSize * scale,
    blocks: clamp(s.blocks / scale),
    bfree: clamp(s.blocksFree / scale),
    bavail: clamp(s.blocksAvailable / scale),
    files: clamp(s.files),
    ffree: clamp(s.filesFree),
    favail: clamp(s.filesFree),
    fsid: 0,
    flag: 0,
    namemax: s.nameMax,
  }
}

/** Below this, a time from fuse-native is one of utimensat's markers, not
 *  a time: libfuse 2 fills an unset time with tv_sec 0 and tv_nsec UTIME_NOW
 *  (2^30 - 1) or UTIME_OMIT (2^30 - 2), which fuse-native turns into about
 *  1073 ms after the epoch. */
const TIME_MARKER_MAX_MS = 2_000

/** The time to set from what fuse-native passed to utimens: `touch` (both
 *  times UTIME_NOW) sets now, `touch -d`, `cp -p` and `rsync -t` set the
 *  time given. When only the modification time is set (`touch -m`), the
 *  access time passed is UTIME_OMIT and the real value never reaches
 *  JavaScript: now is the closest answer, and MEGA replaces it at upload. */
export function kernelTimeMs(passedMs: number, nowMs: number): number {
  return passedMs >= 0 && passedMs < TIME_MARKER_MAX_MS ? nowMs : passedMs
}

export function createFuseAdapter(fs: FileSystem, options: AdapterOptions): FuseAdapter {
  const logger = options.logger
  const clock = options.clock ?? systemClock
  const handles = new Map<number, FileHandle>()
  let nextFd = 1

  function register(handle: FileHandle): number {
    while (handles.has(nextFd)) nextFd = nextFd >= 0x7fffffff ? 1 : nextFd + 1
    const fd = nextFd
    nextFd = nextFd >= 0x7fffffff ? 1 : nextFd + 1
    handles.set(fd, handle)
    return fd
  }

  function handle(fd: number): FileHandle {
    const h = handles.get(fd)
    if (!h) throw new FsError('EBADF', `no open file with handle ${fd}`)
    return h
  }

  // Runs one core call and answers the kernel: 0 (or a byte count) on
  // success, the errno from the one table on failure.
  function answer<T>(op: string, path: string, cb: (code: number, value?: T) => void, run: () => Promise<T>, code?: (value: T) => number): void {
    let promise: Promise<T>
    try {
      promise = run()
    } catch (err) {
      promise = Promise.reject(err)
    }
    promise.then(
      value => (code ? cb(code(value)) : cb(0, value)),
      err => cb(fuseCodeFor(err, logger, op, path, options.failedOps)),
    )
  }

  function opened(op: string, path: string, cb: (code: number, fd?: number) => void, open: () => Promise<FileHandle>): void {
    const started = Date.now()
    answer(op, path, cb, async () => {
      const h = await open()
      if (Date.now() - started >= options.opTimeoutMs) {
        // The kernel was already answered ETIMEDOUT and will never release it.
        await h.release().catch(() => {})
        throw new FsError('ETIMEDOUT', `${op} ${path} finished after the kernel gave up`)
      }
      return register(h)
    })
  }

  const ops: FuseOperations = {
    getattr: (path, cb) => answer('getattr', path, cb, async () => toFuseStat(await fs.getattr(path))),
    fgetattr: (path, fd, cb) =>
      answer('fgetattr', path, cb, async () => toFuseStat(await (handles.get(fd)?.getattr() ?? fs.getattr(path)))),
    access: (path, mode, cb) =>
      answer('access', path, cb, async () => {
        if (options.readOnly && mode & fsConstants.W_OK) throw new FsError('EROFS', `${path}: read-only mount`)
        await fs.getattr(path)
      }),
    readdir: (path, cb) => {
      Promise.all([fs.readdir(path), fs.getattr(path)]).then(
        ([{ names, attrs }, self]) => {
          const selfStat = toFuseStat(self)
          cb(0, ['.', '..', ...names], [selfStat, selfStat, ...attrs.map(toFuseStat)])
        },
        err => cb(fuseCodeFor(err, logger, 'readdir', path, options.failedOps)),
      )
    },
    open: (path, flags, cb) => opened('open', path, cb, () => fs.open(path, flags)),
    create: (path, mode, cb) => opened('create', path, cb, () => fs.create(path, mode)),
    read: (path, fd, buffer, length, position, cb) =>
      answer('read', path, cb, () => handle(fd).read(buffer, length, position), n => n),
    write: (path, fd, buffer, length, position, cb) =>
      answer('write', path, cb, () => handle(fd).write(buffer, length, position), n => n),
    flush: (path, fd, cb) => answer('flush', path, cb, () => handle(fd).flush()),
    fsync: (path, _datasync, fd, cb) => answer('fsync', path, cb, () => handle(fd).fsync()),
    release: (path, fd, cb) =>
      answer('release', path, cb, async () => {
        const h = handle(fd)
        handles.delete(fd)
        await h.release()
      }),
    ftruncate: (path, fd, size, cb) => answer('ftruncate', path, cb, () => handle(fd).truncate(size)),
    truncate: (path, size, cb) => answer('truncate', path, cb, () => fs.truncate(path, size)),
    unlink: (path, cb) => answer('unlink', path, cb, () => fs.unlink(path)),
    mkdir: (path, mode, cb) => answer('mkdir', path, cb, () => fs.mkdir(path, mode)),
    rmdir: (path, cb) => answer('rmdir', path, cb, () => fs.rmdir(path)),
    rename: (from, to, cb) => answer('rename', from, cb, () => fs.rename(from, to)),
    chmod: (path, mode, cb) => answer('chmod', path, cb, () => fs.chmod(path, mode)),
    chown: (path, uid, gid, cb) => answer('chown', path, cb, () => fs.chown(path, uid, gid)),
    utimens: (path, atime, _sameAtime, cb) =>
      answer('utimens', path, cb, () => {
        const timeMs = kernelTimeMs(atime, clock.now())
        return fs.utimens(path, timeMs, timeMs)
      }),
    statfs: (path, cb) => answer('statfs', path, cb, async () => toFuseStatFs(await fs.statfs(path))),
    // No links, symlinks or device nodes on MEGA.
    mknod: (path, _mode, _dev, cb) => answer('mknod', path, cb, async () => refuse('mknod', path)),
    link: (from, _to, cb) => answer('link', from, cb, async () => refuse('link', from)),
    symlink: (_target, path, cb) => answer('symlink', path, cb, async () => refuse('symlink', path)),
  }

  function refuse(op: string, path: string): never {
    throw new FsError(options.readOnly ? 'EROFS' : 'EPERM', `${op} ${path}: not possible on MEGA`)
  }

  return {
    ops,
    openHandles: () => handles.size,
    async releaseAll() {
      const all = [...handles.values()]
      handles.clear()
      await Promise.allSettled(all.map(h => h.release()))
    },
  }
}
