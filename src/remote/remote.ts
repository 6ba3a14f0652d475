// The remote storage as the filesystem core sees it: a tree of folders and
// files addressed by '/'-separated paths relative to the mounted subtree
// ('/' is the served folder itself). Paths are plain, decoded names; the
// implementation owns all URL encoding. WebDavRemote (webdav-remote.ts) is
// the real one; tests may use any object with this shape.
import { KindError } from '../errors.js'

export interface RemoteEntry {
  /** Decoded name (taken from href, never from displayname). '' for the root. */
  name: string
  isDir: boolean
  /** Bytes; 0 for folders. */
  size: number
  /** Modification time in ms since the epoch, or null when the server gave none
   *  or gave the meaningless 1970 that MEGA reports for folders. */
  mtimeMs: number | null
  /** Creation time in ms, when the server gave one. */
  ctimeMs: number | null
  /** Strong or weak ETag as sent, when the server has them (MEGA does not). */
  etag: string | null
}

export interface Listing {
  /** The folder itself (PROPFIND's own entry). */
  self: RemoteEntry
  /** Children, unique by name: when the server lists a name twice (MEGA allows
   *  it), the one reachable through the path is kept (a folder wins). */
  entries: RemoteEntry[]
  /** Names that appeared more than once; one entry each is hidden. */
  duplicateNames: string[]
  /** Entries left out because they cannot be files here (a name such as
   *  '..', a NUL, over 255 bytes, or a size that cannot be counted), with
   *  why; names printable (entry-checks.ts). Absent: none. */
  unusable?: { name: string; reason: string }[]
}

export interface Quota {
  usedBytes: number
  availableBytes: number
}

/** Why a remote call failed; the one classification every layer above uses. */
export type RemoteErrorKind =
  | 'bridge-down' // connection refused / reset / host unreachable
  | 'timeout' // no answer within the bound
  | 'root-missing' // 404 on the served root: logged out, renamed or no longer served
  | 'not-found' // 404 below the root
  | 'forbidden' // 403
  | 'conflict' // 409 (missing parent, ...)
  | 'exists' // 405 on MKCOL, 412 with Overwrite: F
  | 'busy' // 503 after retries: temporary, try later
  | 'no-space' // 507
  | 'bad-reply' // unparsable or inconsistent answer (e.g. 200 for a partial range)
  | 'other' // any other status

export class RemoteError extends KindError<RemoteErrorKind> {
  /** The HTTP status behind it, when there was one. */
  readonly status: number | undefined
  constructor(kind: RemoteErrorKind, message: string, options?: { status?: number; cause?: unknown }) {
    super(kind, message, { cause: options?.cause })
    this.status = options?.status
  }
  /** True for failures of the transport, not of the request: retry later. */
  get transient(): boolean {
    return this.kind === 'bridge-down' || this.kind === 'timeout' || this.kind === 'busy'
  }
}

export interface ReadOptions {
  signal?: AbortSignal
}

export interface ContentReadOptions extends ReadOptions {
  /** Where a body of length bytes goes: a reused window (window-pool.ts in
   *  the vfs) rather than a new buffer. Used where the body is read in place. */
  allocate?: (length: number) => Buffer
}

/** One GET for a long run of a file's bytes, taken in pieces in order
 *  (WebDavRemote.openStream). The server is held back between pieces. */
export interface ContentStream {
  /** Where the next piece taken starts. */
  readonly position: number
  /** Where the stream's bytes end. */
  readonly end: number
  /** Whether it was closed (by close, a failure, or nobody taking). */
  readonly closed: boolean
  /** The next length bytes, exactly (never past end); rejects when the
   *  answer cannot give them (the caller asks again with read()). */
  take(length: number, allocate?: (length: number) => Buffer): Promise<Buffer>
  close(): void
}

export interface Remote {
  /** PROPFIND Depth 1 of a folder. Throws RemoteError('not-found') when it does
   *  not exist and RemoteError('root-missing') when the served root is gone. */
  list(path: string, options?: ReadOptions): Promise<Listing>
  /** PROPFIND Depth 0. */
  stat(path: string, options?: ReadOptions): Promise<RemoteEntry>
  /** Bytes [offset, offset+length) of a file, fewer only at its end. Ranged GET
   *  with the header spelled 'Range'; a 200 is accepted only when the range
   *  starts at 0 and covers the whole file. */
  read(path: string, offset: number, length: number, options?: ContentReadOptions): Promise<Buffer>
  /** Bytes [offset, offset+length) of a file as one request read in pieces,
   *  for a sequential reader; null when this remote cannot (the caller then
   *  uses read() per piece). Optional: remotes without it always read(). */
  openStream?(path: string, offset: number, length: number, options?: ReadOptions): ContentStream | null
  /** Upload a local file's content with PUT, streamed from disk. The answer
   *  can take as long as MEGA's own upload: the timeout scales with size.
   *  onProgress reports bytes sent. */
  put(path: string, localFile: string, options?: { onProgress?: (sentBytes: number) => void; signal?: AbortSignal }): Promise<void>
  mkdir(path: string): Promise<void>
  /** DELETE: permanent on MEGA (no rubbish bin). */
  delete(path: string): Promise<void>
  /** MOVE; with overwrite false an existing target gives RemoteError('exists'). */
  move(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>
  copy(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>
  /** RFC 4331 quota of the root, or null when the server has none. */
  quota(): Promise<Quota | null>
}
