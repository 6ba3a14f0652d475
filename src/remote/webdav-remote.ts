// The Remote over WebDAV: MEGAcmd's bridge first, and any ordinary WebDAV
// folder (rclone serve webdav, Apache mod_dav) the same way.
//
// Every request, metadata ones included, goes through our node:http request
// function rather than the `webdav` npm package: that package sends through
// node-fetch, which lower-cases header names ('destination', 'overwrite',
// 'range'; the bridge matches header names by exact spelling, proven for
// Range), appends '/' to MKCOL URLs (the bridge does not trim trailing
// slashes), and has no connect/idle bound. One request path also means one
// error classification, one concurrency limit and one set of statistics.
import fs from 'node:fs'
import { systemTime, type Time } from '../clock.js'
import { INTERNAL_DEFAULTS, PROFILE_DEFAULTS } from '../config/types.js'
import { silentLogger, type Logger } from '../log.js'
import { DavRequests, type DavRequest, type DavRequestStats } from './dav-requests.js'
import { remoteErrorFromFailure, remoteErrorFromStatus, type FailedRequest } from './errors.js'
import { parseFolderUrl } from './folder-url.js'
import { discardBody, readBody, type HttpResponse } from './http-request.js'
import { contentEncoding, expectedBodyBytes, wrongBody } from './range-answer.js'
import { readMultistatus } from './multistatus-body.js'
import { RangeStream, STREAM_PAUSED_IDLE_MS, streamedBody } from './range-stream.js'
import { decodePathSegments, splitRelativePath, urlFor } from './paths.js'
import { entryOf, findSelf, MAX_LISTING_ENTRIES, MAX_XML_DEPTH, MultistatusReader, toListing, type ParsedMultistatus } from './propfind-parser.js'
import {
  RemoteError,
  type ContentReadOptions,
  type ContentStream,
  type Listing,
  type Quota,
  type ReadOptions,
  type Remote,
  type RemoteEntry,
} from './remote.js'

export interface WebDavRemoteOptions {
  /** Bridge URL of the subtree, e.g. http://127.0.0.1:4443/f1Y2lIrD/Photos,
   *  or any WebDAV folder URL. No query string or fragment. */
  url: string
  // The numbers below, when absent, are the profile's defaults and the
  // internal settings of src/config/options.ts (where their help is).
  /** Bound on connecting and on any stretch without progress, for every
   *  request (an upload's wait for its final answer is longer, see
   *  uploadAnswerBytesPerSecond). */
  requestTimeoutMs?: number
  /** Requests in flight at once, over all methods. */
  maxConcurrentRequests?: number
  /** 503 answers are retried: `attempts` requests in all, waiting
   *  baseDelayMs, then twice that, and so on between them. */
  retryBusy?: { attempts: number; baseDelayMs: number }
  uploadAnswerBytesPerSecond?: number
  rootCheckTtlMs?: number
  /** Bytes of one PROPFIND answer read at most, and <response> elements in
   *  it; past either the listing fails (EIO) with a message saying so.
   *  Defaults: MAX_PROPFIND_ANSWER_BYTES, MAX_LISTING_ENTRIES. */
  maxAnswerBytes?: number
  maxAnswerEntries?: number
  logger?: Logger
  /** The clock of the root check, and the waits between 503 retries. */
  time?: Time
}

/** A PROPFIND answer is streamed into the parser, never held whole, but a
 *  server could still send gigabytes (one sent 1.1 GB, issue 9). A MEGA
 *  folder of 100,000 files answers about 40 MB; this is five times that and
 *  a little more, so no real folder reaches it. */
export const MAX_PROPFIND_ANSWER_BYTES = 256 * 1024 * 1024

/** Counters of one remote, for status output and tests. */
export type WebDavRemoteStats = DavRequestStats

const PROPFIND_ENTRY_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:creationdate/><D:getetag/>' +
  '</D:prop></D:propfind>'

const PROPFIND_QUOTA_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop>' +
  '<D:resourcetype/><D:quota-available-bytes/><D:quota-used-bytes/>' +
  '</D:prop></D:propfind>'

interface Exchange {
  method: string
  segments: string[]
  headers?: Record<string, string | number>
  body?: () => Buffer | string | fs.ReadStream
  signal?: AbortSignal
  answerTimeoutMs?: number
  onBodyProgress?: (sentBytes: number) => void
  direct?: DavRequest['direct']
}

export class WebDavRemote implements Remote {
  #base: URL
  #baseSegments: string[]
  readonly #timeoutMs: number
  readonly #uploadBytesPerSecond: number
  readonly #rootCheckTtlMs: number
  readonly #maxAnswerBytes: number
  readonly #maxAnswerEntries: number
  readonly #requests: DavRequests
  readonly #log: Logger
  readonly #time: Time

  constructor(options: WebDavRemoteOptions) {
    this.#base = parseFolderUrl(options.url)
    this.#baseSegments = decodePathSegments(this.#base.pathname)
    this.#timeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? PROFILE_DEFAULTS.requestTimeoutMs)
    const retry = options.retryBusy ?? { attempts: INTERNAL_DEFAULTS.busyRetryAttempts, baseDelayMs: INTERNAL_DEFAULTS.busyRetryBaseDelayMs }
    this.#uploadBytesPerSecond = positive('uploadAnswerBytesPerSecond', options.uploadAnswerBytesPerSecond ?? INTERNAL_DEFAULTS.uploadAnswerBytesPerSecond)
    this.#rootCheckTtlMs = Math.max(0, options.rootCheckTtlMs ?? INTERNAL_DEFAULTS.rootCheckTtlMs)
    this.#maxAnswerBytes = positive('maxAnswerBytes', options.maxAnswerBytes ?? MAX_PROPFIND_ANSWER_BYTES)
    this.#maxAnswerEntries = positive('maxAnswerEntries', options.maxAnswerEntries ?? MAX_LISTING_ENTRIES)
    this.#log = (options.logger ?? silentLogger).child({ component: 'webdav-remote' })
    this.#time = options.time ?? systemTime
    this.#requests = new DavRequests({
      timeoutMs: this.#timeoutMs,
      maxConcurrentRequests: options.maxConcurrentRequests ?? PROFILE_DEFAULTS.maxConcurrentRequests,
      retryBusy: { attempts: retry.attempts, baseDelayMs: Math.max(0, retry.baseDelayMs) },
      time: this.#time,
      log: this.#log,
    })
  }

  get url(): string {
    return this.#base.href
  }

  /** Points the remote at a new URL (the bridge's URL changes when the served
   *  folder is renamed). Requests in flight finish against the old one. */
  setUrl(url: string): void {
    this.#base = parseFolderUrl(url)
    this.#baseSegments = decodePathSegments(this.#base.pathname)
    this.#requests.lastSuccessAtMs = -Infinity
  }

  stats(): WebDavRemoteStats {
    return { ...this.#requests.stats }
  }

  /** A PROPFIND of the entry properties: the folder and its children
   *  (depth 1), or the entry alone (depth 0). */
  async #propfind(segments: string[], depth: '0' | '1', signal: AbortSignal | undefined) {
    const res = await this.#exchange({
      method: 'PROPFIND',
      segments,
      headers: { Depth: depth, 'Content-Type': 'application/xml; charset=utf-8' },
      body: () => PROPFIND_ENTRY_BODY,
      signal,
    })
    return this.#multistatus(res, 'PROPFIND', segments, signal)
  }

  async list(path: string, options: ReadOptions = {}): Promise<Listing> {
    const segments = splitRelativePath(path)
    const { parsed, url } = await this.#propfind(segments, '1', options.signal)
    const listing = toListing(parsed, [...this.#baseSegments, ...segments], segments.at(-1) ?? '', url)
    if (listing.duplicateNames.length > 0) {
      this.#log.warn({ path: show(segments), names: listing.duplicateNames }, 'folder lists names twice; only one of each is reachable')
    }
    if (listing.unusable?.length) {
      this.#log.warn({ path: show(segments), left: listing.unusable.slice(0, 20), count: listing.unusable.length }, 'folder lists entries that cannot be files here; they are left out')
    }
    return listing
  }

  async stat(path: string, options: ReadOptions = {}): Promise<RemoteEntry> {
    const segments = splitRelativePath(path)
    const { parsed, url } = await this.#propfind(segments, '0', options.signal)
    const self = findSelf(parsed.resources, [...this.#baseSegments, ...segments])
    if (!self) throw new RemoteError('bad-reply', `PROPFIND ${show(segments)}: the answer from ${url.host} describes nothing`)
    return entryOf(self, segments.at(-1) ?? '')
  }

  async read(path: string, offset: number, length: number, options: ContentReadOptions = {}): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`read ${path}: offset and length must be whole numbers of at least 0, got ${offset} and ${length}`)
    }
    if (length === 0) return Buffer.alloc(0)
    const segments = splitRelativePath(path)
    const failed = this.#failed('GET', segments)
    const res = await this.#exchange({
      method: 'GET',
      segments,
      // Spelled exactly 'Range': the bridge ignores 'range'.
      headers: { Range: `bytes=${offset}-${offset + length - 1}` },
      signal: options.signal,
      direct: { maxBodyBytes: length, allocate: options.allocate },
    })
    if (res.status === 416) {
      discardBody(res)
      return Buffer.alloc(0)
    }
    if (res.status !== 206 && res.status !== 200) throw await this.#statusError(res, failed)
    // Every check that can be made before the body is read is made first, so
    // a wrong answer costs no download.
    let expected: number
    try {
      expected = expectedBodyBytes(res, offset, length, show(segments))
    } catch (err) {
      discardBody(res)
      throw err
    }
    const data = await this.#readContent(res, expected + 1, failed, options.signal)
    if (res.status === 200 && data.length > length) {
      throw new RemoteError('bad-reply', `GET ${show(segments)}: the server ignored the Range header (answered 200 with more than the ${length} bytes asked for)`, { status: 200 })
    }
    if (res.status === 206 && data.length !== expected) throw wrongBody(show(segments), `its Content-Range promised ${expected} bytes and the body carried ${data.length}`)
    return data
  }

  openStream(path: string, offset: number, length: number, options: ReadOptions = {}): ContentStream | null {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length <= 0) {
      throw new RangeError(`openStream ${path}: offset must be a whole number of at least 0 and length of at least 1, got ${offset} and ${length}`)
    }
    const segments = splitRelativePath(path)
    if (!this.#requests.directPossible(urlFor(this.#base, segments))) return null
    const failed = this.#failed('GET', segments)
    const what = show(segments)
    const body = this.#exchange({
      method: 'GET',
      segments,
      headers: { Range: `bytes=${offset}-${offset + length - 1}` },
      signal: options.signal,
      direct: { maxBodyBytes: length, streamed: true, pausedIdleMs: STREAM_PAUSED_IDLE_MS },
    }).then(async res => {
      if (res.status !== 206 && res.status !== 200) throw await this.#statusError(res, failed)
      return streamedBody(res, offset, length, what)
    })
    const mapError = (err: unknown) => (options.signal?.aborted ? options.signal.reason : remoteErrorFromFailure(err, failed))
    return new RangeStream({ body, offset, end: offset + length, what, onBytes: n => (this.#requests.stats.bytesRead += n), mapError })
  }

  async put(path: string, localFile: string, options: { onProgress?: (sentBytes: number) => void; signal?: AbortSignal } = {}): Promise<void> {
    const segments = splitRelativePath(path)
    if (segments.length === 0) throw new TypeError('put: cannot upload over the served folder itself; give a file path')
    const info = await fs.promises.stat(localFile)
    if (!info.isFile()) throw new TypeError(`put ${show(segments)}: ${localFile} is not a regular file`)
    const size = info.size
    const res = await this.#exchange({
      method: 'PUT',
      segments,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size },
      // Streamed from disk, never held in memory.
      body: () => fs.createReadStream(localFile),
      answerTimeoutMs: this.#timeoutMs + Math.ceil((size / this.#uploadBytesPerSecond) * 1000),
      onBodyProgress: options.onProgress,
      signal: options.signal,
    })
    await this.#expectSuccess(res, 'PUT', segments)
  }

  async mkdir(path: string): Promise<void> {
    const segments = splitRelativePath(path)
    if (segments.length === 0) throw new RemoteError('exists', 'MKCOL /: the served folder itself always exists')
    const res = await this.#exchange({ method: 'MKCOL', segments })
    await this.#expectSuccess(res, 'MKCOL', segments)
  }

  async delete(path: string): Promise<void> {
    const segments = splitRelativePath(path)
    if (segments.length === 0) throw new TypeError('delete: refusing to delete the served folder itself')
    const res = await this.#exchange({ method: 'DELETE', segments })
    await this.#expectSuccess(res, 'DELETE', segments)
  }

  move(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return this.#transfer('MOVE', from, to, options.overwrite ?? true)
  }

  copy(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return this.#transfer('COPY', from, to, options.overwrite ?? true)
  }

  async quota(): Promise<Quota | null> {
    const res = await this.#exchange({
      method: 'PROPFIND',
      segments: [],
      headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
      body: () => PROPFIND_QUOTA_BODY,
    })
    const { parsed } = await this.#multistatus(res, 'PROPFIND', [])
    return findSelf(parsed.resources, this.#baseSegments)?.quota ?? null
  }

  async #transfer(method: 'MOVE' | 'COPY', from: string, to: string, overwrite: boolean): Promise<void> {
    const source = splitRelativePath(from)
    const target = splitRelativePath(to)
    if (source.length === 0 || target.length === 0) {
      throw new TypeError(`${method} ${from} -> ${to}: the served folder itself cannot be moved, copied or replaced`)
    }
    const res = await this.#exchange({
      method,
      segments: source,
      headers: {
        // Absolute, on the host the request goes to, and without a trailing
        // slash even for folders: the bridge answers 502 for another
        // prefix and 409 for a trailing slash.
        Destination: urlFor(this.#base, target).href,
        Overwrite: overwrite ? 'T' : 'F',
      },
    })
    await this.#expectSuccess(res, method, source)
  }

  #exchange(ex: Exchange): Promise<HttpResponse> {
    // Bytes are taken as they come: an encoded body is refused (range-answer.ts).
    const headers = { 'Accept-Encoding': 'identity', ...ex.headers }
    return this.#requests.send({ ...ex, headers, url: urlFor(this.#base, ex.segments), failed: this.#failed(ex.method, ex.segments) })
  }

  async #multistatus(res: HttpResponse, method: string, segments: string[], signal?: AbortSignal) {
    const failed = this.#failed(method, segments)
    if (res.status !== 207 && res.status !== 200) throw await this.#statusError(res, failed)
    const url = urlFor(this.#base, segments)
    const encoding = contentEncoding(res)
    if (encoding) {
      discardBody(res)
      throw new RemoteError('bad-reply', `${method} ${show(segments)}: the answer from ${url.host} is encoded (Content-Encoding: ${encoding}) although none was accepted; check any proxy between megamount and the server`)
    }
    const what = `${method} ${failed.path}`
    const reader = new MultistatusReader(url, { what, maxDepth: MAX_XML_DEPTH, maxEntries: this.#maxAnswerEntries })
    let parsed: ParsedMultistatus
    try {
      parsed = await readMultistatus(res, reader, {
        maxBytes: this.#maxAnswerBytes,
        what,
        host: failed.host,
        onBytes: n => (this.#requests.stats.listingBytes += n),
      })
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      throw remoteErrorFromFailure(err, failed)
    }
    if (parsed.dropped > 0) this.#log.debug({ path: failed.path, dropped: parsed.dropped }, 'listing entries left out (no href, a "/" in the name, or no properties)')
    return { parsed, url }
  }

  async #readContent(res: HttpResponse, limitBytes: number, failed: FailedRequest, signal?: AbortSignal): Promise<Buffer> {
    try {
      const { data } = await readBody(res, limitBytes)
      this.#requests.stats.bytesRead += data.length
      return data
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      throw remoteErrorFromFailure(err, failed)
    }
  }

  async #expectSuccess(res: HttpResponse, method: string, segments: string[]): Promise<void> {
    if (res.status >= 200 && res.status < 300) {
      discardBody(res)
      return
    }
    throw await this.#statusError(res, this.#failed(method, segments))
  }

  /** The error for a non-success answer. A 404 on the root, or one below
   *  it when the root is not found either, means the served root is gone. */
  async #statusError(res: HttpResponse, failed: FailedRequest & { segments?: string[] }): Promise<RemoteError> {
    discardBody(res)
    if (res.status !== 404) return remoteErrorFromStatus(res.status, failed)
    return remoteErrorFromStatus(404, failed, { rootMissing: await this.#rootIsMissing(failed.segments ?? []) })
  }

  async #rootIsMissing(segments: string[]): Promise<boolean> {
    if (segments.length === 0) return true
    if (this.#time.now() - this.#requests.lastSuccessAtMs < this.#rootCheckTtlMs) return false
    try {
      const res = await this.#exchange({
        method: 'PROPFIND',
        segments: [],
        headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
        body: () => PROPFIND_ENTRY_BODY,
      })
      discardBody(res)
      return res.status === 404
    } catch (err) {
      this.#log.debug({ err: String(err) }, 'root check after a 404 failed; reporting not-found')
      return false
    }
  }

  #failed(method: string, segments: string[]): FailedRequest & { segments: string[] } {
    return { method, path: show(segments), host: this.#base.host, segments }
  }
}

function show(segments: string[]): string {
  return '/' + segments.join('/')
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`)
  return value
}
