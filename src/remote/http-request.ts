// One HTTP request on its own connection, bounded in time. MEGA's bridge
// closes every connection and some of its answers do not say so, so a
// pooled keep-alive socket would be reused dead and fail with ECONNRESET:
// agents here never keep sockets. node:http sends header names exactly as
// given, which matters because the bridge matches 'Range' case-sensitively
// (fetch-based clients send 'range' and silently get the whole file).
import http from 'node:http'
import https from 'node:https'
import { Readable, Transform, pipeline } from 'node:stream'
import { DirectBody } from './direct-get.js'
import { RequestTimeoutError } from './errors.js'

const httpAgent = new http.Agent({ keepAlive: false })
const httpsAgent = new https.Agent({ keepAlive: false })

export interface HttpRequestOptions {
  url: URL
  method: string
  /** Sent with exactly this spelling. */
  headers?: Record<string, string | number>
  /** A small body sent at once, or a stream (an upload) piped with progress. */
  body?: Buffer | string | Readable
  /** Bound on connecting and on any stretch without progress in either
   *  direction, so a slow but moving transfer is not cut. */
  idleTimeoutMs: number
  /** Once the whole body has been sent, how long to wait for the status
   *  line. An upload to MEGA's bridge is answered only after the bridge has
   *  uploaded it to MEGA, so this must scale with the size. Default: idleTimeoutMs. */
  answerTimeoutMs?: number
  signal?: AbortSignal
  /** Bytes of the body handed to the socket so far. */
  onBodyProgress?: (sentBytes: number) => void
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** The body: consume it with readBody() or drop it with discardBody(). The
   *  idle bound keeps applying while it is read. A DirectBody is a ranged
   *  GET's answer read in place (direct-get.ts). */
  body: http.IncomingMessage | DirectBody
}

export function sendRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const { url, method, idleTimeoutMs } = options
  const answerTimeoutMs = options.answerTimeoutMs ?? idleTimeoutMs
  const lib = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined
    let settled = false
    let phase: 'idle' | 'answer' = 'idle'
    const fail = (err: unknown) => {
      if (settled) return
      settled = true
      reject(err)
    }
    const req = lib.request(url, {
      method,
      headers: options.headers,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      // Set before the socket connects, so it bounds connecting too.
      timeout: idleTimeoutMs,
      signal: options.signal,
    })
    req.on('timeout', () => {
      const err = new RequestTimeoutError(phase === 'idle' ? idleTimeoutMs : answerTimeoutMs, phase)
      response?.destroy(err)
      req.destroy(err)
    })
    // Stays attached after settling: a late socket error must not become an
    // unhandled 'error' event.
    req.on('error', fail)
    req.on('finish', () => {
      if (response || options.answerTimeoutMs === undefined) return
      phase = 'answer'
      req.setTimeout(answerTimeoutMs)
    })
    req.on('response', res => {
      response = res
      phase = 'idle'
      req.setTimeout(idleTimeoutMs)
      if (settled) {
        discardBody({ status: res.statusCode ?? 0, headers: res.headers, body: res })
        return
      }
      settled = true
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res })
    })

    const body = options.body
    if (body instanceof Readable) {
      let sent = 0
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          sent += chunk.length
          options.onBodyProgress?.(sent)
          done(null, chunk)
        },
      })
      pipeline(body, counter, req, err => {
        // An error after the answer arrived (the server closing early) is
        // not a failure of the request.
        if (err && !response) {
          req.destroy(err)
          fail(err)
        }
      })
    } else {
      req.end(body)
    }
  })
}

/** Reads the body into memory, at most limitBytes of it: when the body is
 *  longer, the connection is dropped and `truncated` is true. A body with a
 *  Content-Length is read straight into one buffer of that size: holding the
 *  socket's chunks and then joining them would need twice the memory of an
 *  8 MiB read-ahead window at the moment they are joined. */
/** A server's Content-Length is believed up to this size. */
const PREALLOCATE_MAX_BYTES = 256 * 1024 * 1024

export async function readBody(response: HttpResponse, limitBytes = Infinity): Promise<{ data: Buffer; truncated: boolean }> {
  if (response.body instanceof DirectBody) {
    const data = await response.body.whole()
    return data.length > limitBytes ? { data: data.subarray(0, limitBytes), truncated: true } : { data, truncated: false }
  }
  const declared = Number(response.headers['content-length'] ?? NaN)
  let into: Buffer | null = Number.isSafeInteger(declared) && declared > 0 && declared <= Math.min(limitBytes, PREALLOCATE_MAX_BYTES) ? Buffer.allocUnsafe(declared) : null
  const chunks: Buffer[] = []
  let length = 0
  return consumeBody<{ data: Buffer; truncated: boolean }>(response.body, {
    piece(chunk, stop) {
      if (into) {
        if (length + chunk.length <= into.length) {
          chunk.copy(into, length)
          length += chunk.length
          return
        }
        // More than the server declared: collect as for a body without one.
        chunks.push(into.subarray(0, length))
        into = null
      }
      if (length + chunk.length > limitBytes) {
        chunks.push(chunk.subarray(0, limitBytes - length))
        length = limitBytes
        stop({ value: { data: Buffer.concat(chunks, length), truncated: true } })
        return
      }
      chunks.push(chunk)
      length += chunk.length
    },
    end: () => ({ data: into ? into.subarray(0, length) : Buffer.concat(chunks, length), truncated: false }),
  })
}

/** What consumeBody does with a body's pieces. */
export interface BodySink<T> {
  /** Each piece as it arrives. `stop` ends the read early with a value or
   *  an error; the rest is not read and the connection is closed. */
  piece(chunk: Buffer, stop: (result: { value: T } | { error: unknown }) => void): void
  /** The body ended: the result (a throw rejects). */
  end(): T
}

/** Reads a body through a sink, bounded by the request's idle timeout. */
export function consumeBody<T>(res: http.IncomingMessage | DirectBody, sink: BodySink<T>): Promise<T> {
  // Only ranged GETs are read directly, and only with readBody().
  if (res instanceof DirectBody) return Promise.reject(new TypeError('a direct answer is read with readBody()'))
  return new Promise((resolve, reject) => {
    let done = false
    const stop = (result: { value: T } | { error: unknown }) => {
      if (done) return
      done = true
      res.off('data', onData)
      res.on('error', () => {})
      res.destroy()
      if ('error' in result) reject(result.error)
      else resolve(result.value)
    }
    const onData = (chunk: Buffer) => {
      if (!done) sink.piece(chunk, stop)
    }
    res.on('data', onData)
    // The error is reported at 'close' (always last), preferring our timeout
    // over the generic socket error it causes.
    let failure: unknown
    res.on('error', err => {
      if (failure === undefined || err instanceof RequestTimeoutError) failure = err
    })
    res.on('end', () => {
      if (done) return
      done = true
      try {
        resolve(sink.end())
      } catch (err) {
        reject(err)
      }
    })
    res.on('close', () => {
      if (done) return
      done = true
      reject(failure ?? Object.assign(new Error('socket hang up while reading the answer'), { code: 'ECONNRESET' }))
    })
  })
}

/** Drops a body that is not needed; the connection is closed either way. */
export function discardBody(response: HttpResponse): void {
  response.body.on('error', () => {})
  response.body.destroy()
}
