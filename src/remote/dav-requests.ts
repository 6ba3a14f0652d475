// Sending requests for WebDavRemote: a concurrency limit over all of them,
// 503 retries with backoff, the one trailing-slash redirect Apache makes,
// and the counters behind WebDavRemote.stats().
import { sleep, type Time } from '../clock.js'
import type { Logger } from '../log.js'
import { remoteErrorFromFailure, type FailedRequest } from './errors.js'
import { sendDirectGet } from './direct-get.js'
import { discardBody, sendRequest, type HttpRequestOptions, type HttpResponse } from './http-request.js'
import { decodePathSegments, sameSegments } from './paths.js'
import { Semaphore } from './semaphore.js'
import type { Readable } from 'node:stream'

export interface DavRequestStats {
  /** HTTP requests sent, retries included. */
  requests: number
  /** Requests sent and not yet finished (body read or dropped). */
  inFlight: number
  /** Bytes of file content received by read(). */
  bytesRead: number
  /** GET requests sent. */
  getRequests: number
  /** Bytes of PROPFIND answers received (up to the cap, then the
   *  connection is dropped). */
  listingBytes: number
}

export interface DavRequest {
  url: URL
  method: string
  /** For messages and logs. */
  failed: FailedRequest
  headers?: Record<string, string | number>
  /** Made anew for each attempt (a stream cannot be sent twice). */
  body?: () => Buffer | string | Readable
  signal?: AbortSignal
  answerTimeoutMs?: number
  onBodyProgress?: (sentBytes: number) => void
  /** A GET whose 200/206 body of at most maxBodyBytes is read in place
   *  (direct-get.ts) on a plain-http server. */
  direct?: { maxBodyBytes: number; allocate?: (length: number) => Buffer; streamed?: boolean; pausedIdleMs?: number }
}

export interface DavRequestsOptions {
  timeoutMs: number
  maxConcurrentRequests: number
  retryBusy: { attempts: number; baseDelayMs: number }
  time: Time
  log: Logger
}

export class DavRequests {
  readonly stats: DavRequestStats = { requests: 0, inFlight: 0, bytesRead: 0, getRequests: 0, listingBytes: 0 }
  /** When a request last got a 2xx answer (clock ms): proof the served root exists. */
  lastSuccessAtMs = -Infinity
  readonly #o: DavRequestsOptions
  readonly #semaphore: Semaphore
  /** Cleared once the server answers in a form the direct client leaves to
   *  node:http, so such a server is not asked twice for every read. */
  #directWorks = true

  constructor(options: DavRequestsOptions) {
    if (!Number.isInteger(options.retryBusy.attempts) || options.retryBusy.attempts < 1) {
      throw new RangeError(`retryBusy.attempts must be a whole number of at least 1 (1 = no retry), got ${options.retryBusy.attempts}`)
    }
    this.#o = options
    this.#semaphore = new Semaphore(options.maxConcurrentRequests)
  }

  /** Sends one request, holding a concurrency slot until its body is read or
   *  dropped. Resolves with any status (503 only once the retries are used
   *  up); rejects with RemoteError for socket failures, or the abort reason. */
  async send(r: DavRequest): Promise<HttpResponse> {
    const { time, log, retryBusy } = this.#o
    let url = r.url
    let redirected = false
    for (let attempt = 1; ; attempt++) {
      const release = await this.#semaphore.acquire(r.signal)
      const startedMs = time.now()
      this.stats.requests++
      this.stats.inFlight++
      if (r.method === 'GET') this.stats.getRequests++
      let res: HttpResponse
      try {
        res = await this.#sendOnce(r, {
          url,
          method: r.method,
          headers: r.headers,
          body: r.body?.(),
          idleTimeoutMs: this.#o.timeoutMs,
          answerTimeoutMs: r.answerTimeoutMs,
          signal: r.signal,
          onBodyProgress: r.onBodyProgress,
        })
      } catch (err) {
        this.stats.inFlight--
        release()
        if (r.signal?.aborted) throw r.signal.reason
        const error = remoteErrorFromFailure(err, r.failed)
        log.debug({ method: r.method, path: r.failed.path, kind: error.kind, err: String(err) }, 'request failed')
        throw error
      }
      res.body.once('close', () => {
        this.stats.inFlight--
        release()
      })
      log.debug({ method: r.method, path: r.failed.path, status: res.status, ms: time.now() - startedMs, attempt }, 'answer')
      if (res.status >= 200 && res.status < 300) this.lastSuccessAtMs = time.now()
      const slashed = redirected ? null : slashRedirect(res, url)
      if (slashed) {
        // Apache's mod_dir redirects a folder requested without its trailing
        // slash; the same request goes to the slashed URL, once.
        discardBody(res)
        url = slashed
        redirected = true
        attempt--
        continue
      }
      if (res.status !== 503 || attempt >= retryBusy.attempts) return res
      discardBody(res)
      const delayMs = retryBusy.baseDelayMs * 2 ** (attempt - 1)
      log.info({ method: r.method, path: r.failed.path, attempt, delayMs }, 'server busy (503); retrying')
      await sleep(delayMs, r.signal, this.#o.time)
    }
  }

  /** Whether a GET to url can be answered in place (direct-get.ts), as
   *  streamed reads need: a plain-http server whose answers have allowed it
   *  so far. */
  directPossible(url: URL): boolean {
    return this.#directWorks && url.protocol === 'http:'
  }

  async #sendOnce(r: DavRequest, options: HttpRequestOptions): Promise<HttpResponse> {
    const { url, headers, idleTimeoutMs, signal } = options
    if (r.direct && this.#directWorks && url.protocol === 'http:' && r.method === 'GET' && options.body === undefined) {
      const { maxBodyBytes, allocate, streamed, pausedIdleMs } = r.direct
      const res = await sendDirectGet({ url, headers, idleTimeoutMs, signal, maxBodyBytes, allocate, streamed, pausedIdleMs })
      if (res) return res
      this.#directWorks = false
      this.#o.log.info({ host: url.host }, 'the server answers ranged GETs in a form read through node:http (chunked, unsized or with long headers); reads use node:http from now on')
    }
    return sendRequest(options)
  }
}

/** The Location of a redirect that only adds a trailing slash to the same
 *  path on the same server, or null. */
export function slashRedirect(res: HttpResponse, url: URL): URL | null {
  if (![301, 302, 307, 308].includes(res.status)) return null
  const location = res.headers.location
  if (!location) return null
  let target: URL
  try {
    target = new URL(location, url)
  } catch {
    return null
  }
  const same =
    target.origin === url.origin &&
    target.pathname.endsWith('/') &&
    sameSegments(decodePathSegments(target.pathname), decodePathSegments(url.pathname))
  return same ? target : null
}
