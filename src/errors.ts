// The one error vocabulary of the filesystem core. Everything below the FUSE
// adapter throws FsError with one of these codes; the adapter owns the single
// table that turns them into errno values (src/fuse/errno.ts). An error that
// is not an FsError is a bug or an unexpected failure and becomes EIO there,
// never ENOENT.

export const FS_ERROR_CODES = [
  'ENOENT', // no such file or folder
  'EEXIST', // target exists
  'ENOTDIR', // a path component is a file
  'EISDIR', // a file operation on a folder
  'ENOTEMPTY', // rmdir of a folder with entries
  'EROFS', // the mount (profile) is read-only
  'EACCES', // the server refused access (403)
  'EPERM', // operation not permitted on this kind of entry
  'EIO', // anything unexpected: bad reply, 500, bug
  'ENOSPC', // server says no space (507)
  'ETIMEDOUT', // the bridge did not answer within the bound
  'EHOSTDOWN', // the bridge is down (refused or known down)
  'EAGAIN', // temporary failure (503 after retries)
  'EINVAL', // bad argument
  'EXDEV', // cross-mount rename
  'EBADF', // unknown handle
  'ENAMETOOLONG',
  'EFBIG', // past the largest file a mount accepts (src/vfs/limits.ts)
  'ENOSYS', // not supported
  'ENOTSUP',
] as const

export type FsErrorCode = (typeof FS_ERROR_CODES)[number]

export class FsError extends Error {
  readonly code: FsErrorCode
  constructor(code: FsErrorCode, message?: string, options?: { cause?: unknown }) {
    // "No such file" is a routine answer, not a failure: a copy of 2,000
    // files looks up 4,000 names that do not exist yet (rsync's temporary
    // and final names), and capturing a stack for each took ~2 % of it.
    const stackLimit = Error.stackTraceLimit
    if (code === 'ENOENT') Error.stackTraceLimit = 0
    super(message ?? code, options)
    Error.stackTraceLimit = stackLimit
    this.code = code
    this.name = 'FsError'
  }
}

export function isFsError(err: unknown): err is FsError {
  return err instanceof FsError
}

/** An error whose kind says what went wrong, for callers that decide by
 *  kind what to do (RemoteError of the remote, MegaCmdError of MEGAcmd). */
export class KindError<K extends string> extends Error {
  constructor(
    readonly kind: K,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}
