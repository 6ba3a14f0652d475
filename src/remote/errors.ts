// The one place where HTTP statuses and socket failures become RemoteError
// kinds, with messages that tell the user what to do about them.
import { RemoteError } from './remote.js'

/** Thrown by the request layer when a request made no progress in time. */
export class RequestTimeoutError extends Error {
  readonly timeoutMs: number
  readonly phase: 'idle' | 'answer'
  constructor(timeoutMs: number, phase: 'idle' | 'answer') {
    super(
      phase === 'idle'
        ? `no progress for ${timeoutMs} ms`
        : `no answer within ${timeoutMs} ms after the upload was sent`,
    )
    this.timeoutMs = timeoutMs
    this.phase = phase
    this.name = 'RequestTimeoutError'
  }
}

/** What a message needs to know about the request that failed. */
export interface FailedRequest {
  method: string
  /** Decoded path relative to the served root, for messages ('/' for the root). */
  path: string
  /** host:port of the server. */
  host: string
}

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ECONNABORTED',
])

/** A socket-level failure (no HTTP status) as a RemoteError. Abort errors
 *  are not translated: the caller asked for them. */
export function remoteErrorFromFailure(err: unknown, req: FailedRequest): RemoteError {
  if (err instanceof RemoteError) return err
  const where = `${req.method} ${req.path}`
  if (err instanceof RequestTimeoutError) {
    const what =
      err.phase === 'idle'
        ? `the server at ${req.host} made no progress for ${err.timeoutMs} ms`
        : `the server at ${req.host} did not confirm the upload within ${err.timeoutMs} ms`
    return new RemoteError('timeout', `${where}: ${what}: the bridge may be hung or overloaded; check MEGAcmd's log (~/.megaCmd/megacmdserver.log) or raise requestTimeoutMs`, { cause: err })
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'ECONNREFUSED') {
    return new RemoteError('bridge-down', `${where}: bridge at ${req.host} refused the connection: is MEGAcmd running? start it with mega-cmd-server or run mega-webdav`, { cause: err })
  }
  if ((code !== undefined && DOWN_CODES.has(code)) || /socket hang up/i.test(message)) {
    return new RemoteError('bridge-down', `${where}: connection to the bridge at ${req.host} failed (${code ?? message}): is MEGAcmd running and still serving this folder? run mega-webdav to check`, { cause: err })
  }
  return new RemoteError('other', `${where}: request to ${req.host} failed: ${message}`, { cause: err })
}

/** An HTTP error status as a RemoteError. `rootMissing` says whether a 404
 *  means the served root itself is gone (decided by the caller). */
export function remoteErrorFromStatus(status: number, req: FailedRequest, options: { rootMissing?: boolean } = {}): RemoteError {
  const where = `${req.method} ${req.path}`
  const opts = { status }
  switch (status) {
    case 404:
      if (options.rootMissing) {
        return new RemoteError('root-missing', `${where}: the served folder is gone from ${req.host} (404): MEGAcmd may be logged out (mega-whoami), or the folder was renamed or is no longer served (run mega-webdav to see the served URLs)`, opts)
      }
      return new RemoteError('not-found', `${where}: no such file or folder (404)`, opts)
    case 403:
      return new RemoteError('forbidden', `${where}: the server refused access (403): check that this folder is served (mega-webdav) and writable`, opts)
    case 409:
      return new RemoteError('conflict', `${where}: conflict (409): the parent folder is missing or the target is in the way`, opts)
    case 405:
      if (req.method === 'MKCOL') return new RemoteError('exists', `${where}: already exists (405)`, opts)
      return new RemoteError('other', `${where}: the server does not allow ${req.method} here (405)`, opts)
    case 412:
      return new RemoteError('exists', `${where}: the target exists and overwriting was not allowed (412)`, opts)
    case 503:
      return new RemoteError('busy', `${where}: the server is busy or rate-limited (503) even after retries: try again later`, opts)
    case 507:
      return new RemoteError('no-space', `${where}: no space left on the MEGA account (507): free space (mega-df shows usage) or upgrade the plan`, opts)
    default:
      return new RemoteError('other', `${where}: the server answered ${status}${status >= 500 ? ': see MEGAcmd\'s log (~/.megaCmd/megacmdserver.log)' : ''}`, opts)
  }
}
