// The one place where a failure of the remote becomes a filesystem error.
// Every caller in the core passes whatever a Remote call threw through
// toFsError, so the kernel sees the same errno for the same cause whichever
// operation hit it.

import { FsError, isFsError, type FsErrorCode } from '../errors.js'
import type { Logger } from '../log.js'
import { RemoteError, type RemoteErrorKind } from '../remote/remote.js'

const CODE_FOR_KIND: Record<RemoteErrorKind, FsErrorCode> = {
  'bridge-down': 'EHOSTDOWN',
  timeout: 'ETIMEDOUT',
  // Logged out, or the served folder was renamed or is no longer served:
  // the bridge is there but our subtree is not, which for the user is the
  // same as the bridge being down (nothing under the mount is reachable).
  'root-missing': 'EHOSTDOWN',
  'not-found': 'ENOENT',
  forbidden: 'EACCES',
  // 409 on a read path means a missing parent; on writes the caller picks.
  conflict: 'ENOENT',
  exists: 'EEXIST',
  busy: 'EAGAIN',
  'no-space': 'ENOSPC',
  'bad-reply': 'EIO',
  other: 'EIO',
}

export interface ToFsErrorOptions {
  /** What was being done, for the message: 'list /a', 'read /b'. */
  what: string
  logger?: Logger
  /** Override for 409, which means different things per operation. */
  conflictCode?: FsErrorCode
}

export function fsCodeForRemoteKind(kind: RemoteErrorKind, conflictCode?: FsErrorCode): FsErrorCode {
  if (kind === 'conflict' && conflictCode) return conflictCode
  return CODE_FOR_KIND[kind]
}

export function toFsError(err: unknown, options: ToFsErrorOptions): FsError {
  if (isFsError(err)) return err
  if (err instanceof RemoteError) {
    const code = fsCodeForRemoteKind(err.kind, options.conflictCode)
    if (err.kind === 'root-missing') {
      options.logger?.error(
        { err, what: options.what },
        'the served folder is gone from the bridge: MEGAcmd is logged out, or the folder was renamed or is no longer served (check `mega-whoami` and `mega-webdav`)',
      )
    } else if (code === 'EIO') {
      options.logger?.warn({ err, what: options.what }, 'remote failed')
    }
    return new FsError(code, `${options.what}: ${err.message}`, { cause: err })
  }
  // Not a RemoteError: a bug or an unexpected failure. Never ENOENT.
  options.logger?.error({ err, what: options.what }, 'unexpected error from the remote')
  const message = err instanceof Error ? err.message : String(err)
  return new FsError('EIO', `${options.what}: ${message}`, { cause: err })
}
