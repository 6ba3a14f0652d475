// A plain-http GET whose body the kernel copies straight into one buffer of
// the body's size. Through node:http a 256 MiB read arrives as thousands of
// socket chunk Buffers, each parsed by llhttp and copied once more into the
// read-ahead window, and collecting those chunks was the largest cost of a
// cold sequential read on a fast server (docs/performance.md). Here the
// socket's onread option hands libuv the window itself: after the small
// header block, the body lands in place, with no chunk, parse or copy.
//
// Only the common answer is taken this way: a 200 or 206 with a
// Content-Length of at most maxBodyBytes and no Transfer-Encoding, or any
// other status (its body is never read, only dropped). Anything else (a
// chunked or unsized body, an interim 1xx, a header block past
// MAX_HEAD_BYTES, a malformed one) resolves to null after closing the
// connection, and the caller sends the request again through node:http
// (http-request.ts), which knows every HTTP form. Bounds and failures are
// those of http-request.ts: the idle timeout covers connecting and every
// stretch without bytes, and a body that ends before its Content-Length is an
// error, never short data.
//
// A streamed answer (DirectGetOptions.streamed) is read in pieces the caller
// takes one after another, each into a buffer of its own (DirectBody.take):
// one request for a whole sequential read instead of one per read-ahead
// window. Between pieces the socket is not read, so the server is held back
// by TCP once the kernel's socket buffer is full: memory stays what the
// taken pieces hold, and the server keeps sending while the reader catches up.
import { EventEmitter } from 'node:events'
import type http from 'node:http'
import net from 'node:net'
import { RequestTimeoutError } from './errors.js'
import { parseHead } from './http-head.js'

/** The first read's room for the status line and headers. */
const HEAD_BYTES = 16 * 1024
/** A longer header block is left to node:http. */
export const MAX_HEAD_BYTES = 64 * 1024
/** Where bytes go once none are wanted (the connection is closing). */
const SPARE_BYTES = 4096

export interface DirectGetOptions {
  /** http: only. */
  url: URL
  /** Sent with exactly this spelling. */
  headers?: Record<string, string | number>
  idleTimeoutMs: number
  signal?: AbortSignal
  /** A 200 or 206 with a longer Content-Length is left to node:http. */
  maxBodyBytes: number
  /** The body's buffer, exactly length bytes (default: a new one). */
  allocate?: (length: number) => Buffer
  /** The body is read in pieces through DirectBody.take, never whole. */
  streamed?: boolean
  /** A streamed answer nobody takes from for this long is closed (default:
   *  idleTimeoutMs). */
  pausedIdleMs?: number
}

export interface DirectResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: DirectBody
}

/** The body of a direct answer. Emits 'close' once, when the connection is
 *  closed; never emits 'error' (failures reject whole()). */
export class DirectBody extends EventEmitter {
  readonly #get: DirectGet
  constructor(get: DirectGet) {
    super()
    this.#get = get
  }

  /** The whole body, in one buffer of its declared length. */
  whole(): Promise<Buffer> {
    return this.#get.whole()
  }

  /** The body's next length bytes (fewer only where the body ends), in a
   *  buffer from allocate. Streamed answers only; takes are served in order.
   *  Rejects when the connection closes first. */
  take(length: number, allocate?: (length: number) => Buffer): Promise<Buffer> {
    return this.#get.take(length, allocate)
  }

  /** Drops the body and closes the connection. */
  destroy(): void {
    this.#get.close(null)
  }
}

/** Sends the GET. Resolves with the answer once its headers are in, or with
 *  null when the answer is one node:http should read (see above). */
export function sendDirectGet(options: DirectGetOptions): Promise<DirectResponse | null> {
  return new DirectGet(options).answer
}

type Phase = 'head' | 'body' | 'done'

interface Take {
  length: number
  allocate?: (length: number) => Buffer
  resolve: (b: Buffer) => void
  reject: (e: unknown) => void
}

/** Why a streamed answer nobody took from was closed. */
export class StreamIdleError extends Error {
  constructor(ms: number) {
    super(`nothing was taken from the streamed answer for ${ms} ms; closed`)
  }
}

class DirectGet {
  readonly answer: Promise<DirectResponse | null>
  readonly #o: DirectGetOptions
  readonly #socket: net.Socket
  readonly #body = new DirectBody(this)
  #phase: Phase = 'head'
  #head = Buffer.allocUnsafe(HEAD_BYTES)
  #headLength = 0
  #window: Buffer | null = null
  #filled = 0
  #failure: unknown = null
  #answered!: (res: DirectResponse | null) => void
  #refused!: (err: unknown) => void
  #settled = false
  #wholeWaiters: { resolve: (b: Buffer) => void; reject: (e: unknown) => void }[] = []
  #closed = false
  // Streamed answers: the body's declared length, what earlier takes got,
  // body bytes that arrived with the headers and no take has yet, the take
  // being filled (its buffer is #window) and those waiting.
  #bodyLength = 0
  #taken = 0
  #early: Buffer = Buffer.alloc(0)
  #current: Take | null = null
  readonly #takes: Take[] = []
  #reading = true

  constructor(options: DirectGetOptions) {
    this.#o = options
    this.answer = new Promise((resolve, reject) => {
      this.#answered = resolve
      this.#refused = reject
    })
    const { url } = options
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`]
    for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`)
    // Like the node:http agents here: one connection per request.
    lines.push('Connection: close', '', '')
    if (options.signal?.aborted) {
      this.#socket = new net.Socket()
      this.#refuse(options.signal.reason)
      return
    }
    this.#socket = net.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: { buffer: () => this.#nextBuffer(), callback: (n, buf) => this.#onBytes(n, buf) },
    })
    this.#socket.setNoDelay(true)
    // Set before connecting, so it bounds connecting too.
    this.#socket.setTimeout(options.idleTimeoutMs, () => this.#timedOut())
    this.#socket.on('error', err => this.#fail(err))
    this.#socket.on('end', () => this.#ended())
    this.#socket.on('close', () => this.#ended())
    options.signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#socket.write(lines.join('\r\n'))
  }

  #timedOut(): void {
    const { idleTimeoutMs, pausedIdleMs } = this.#o
    if (!this.#reading && this.#phase === 'body') this.close(new StreamIdleError(pausedIdleMs ?? idleTimeoutMs))
    else this.close(new RequestTimeoutError(idleTimeoutMs, 'idle'))
  }

  readonly #onAbort = () => this.close(this.#o.signal?.reason ?? new Error('aborted'))

  whole(): Promise<Buffer> {
    if (this.#o.streamed) return Promise.reject(new TypeError('a streamed answer is read with take()'))
    if (this.#phase === 'done' && this.#window && this.#filled === this.#window.length) return Promise.resolve(this.#window)
    if (!this.#window) return Promise.reject(new TypeError('this answer has no body to read'))
    if (this.#closed) return Promise.reject(this.#bodyFailure())
    return new Promise((resolve, reject) => this.#wholeWaiters.push({ resolve, reject }))
  }

  take(length: number, allocate?: (length: number) => Buffer): Promise<Buffer> {
    if (!this.#o.streamed) return Promise.reject(new TypeError('only a streamed answer is read with take()'))
    if (this.#closed) return Promise.reject(this.#bodyFailure())
    return new Promise((resolve, reject) => {
      this.#takes.push({ length, allocate, resolve, reject })
      if (this.#phase === 'body' && !this.#current) this.#nextTake()
    })
  }

  /** Starts the next waiting take: its buffer, the bytes that came early,
   *  then the socket for the rest. */
  #nextTake(): void {
    const take = this.#takes.shift()
    if (!take) return
    const n = Math.max(0, Math.min(take.length, this.#bodyLength - this.#taken))
    const given = n > 0 ? take.allocate?.(n) : undefined
    this.#window = given?.length === n ? given : Buffer.allocUnsafeSlow(n)
    this.#current = take
    this.#filled = Math.min(n, this.#early.length)
    if (this.#filled > 0) {
      this.#early.copy(this.#window, 0, 0, this.#filled)
      this.#early = this.#early.subarray(this.#filled)
    }
    if (this.#pieceDone()) this.#resume()
  }

  /** After bytes went into the current take's buffer: hands it over once
   *  full, and says whether to go on reading the socket. */
  #pieceDone(): boolean {
    const take = this.#current
    if (!take || !this.#window || this.#filled < this.#window.length) return take !== null
    const piece = this.#window
    this.#current = null
    this.#window = null
    this.#taken += piece.length
    take.resolve(piece)
    if (this.#taken >= this.#bodyLength) {
      // The whole body is taken: the connection closes as the request said.
      this.#phase = 'done'
      this.#socket.destroy()
      return false
    }
    if (this.#takes.length > 0) {
      this.#nextTake()
      return this.#current !== null
    }
    this.#pause()
    return false
  }

  #pause(): void {
    if (!this.#reading) return
    this.#reading = false
    this.#socket.pause()
    this.#socket.setTimeout(this.#o.pausedIdleMs ?? this.#o.idleTimeoutMs)
  }

  #resume(): void {
    if (this.#reading || this.#closed) return
    this.#reading = true
    this.#socket.setTimeout(this.#o.idleTimeoutMs)
    this.#socket.resume()
  }

  /** Closes the connection; err is why, null when the caller is done with it. */
  close(err: unknown): void {
    if (err !== null && this.#failure === null) this.#failure = err
    this.#socket.destroy()
    this.#ended()
  }

  // Where libuv puts the next bytes read: the rest of the header room, the
  // rest of the window, or a spare buffer once nothing more is wanted.
  #nextBuffer(): Buffer {
    if (this.#phase === 'head') return this.#head.subarray(this.#headLength)
    if (this.#phase === 'body' && this.#window && this.#filled < this.#window.length) return this.#window.subarray(this.#filled)
    return Buffer.allocUnsafe(SPARE_BYTES)
  }

  /** Returning false stops reading from the socket. */
  #onBytes(n: number, buf: Uint8Array): boolean {
    if (this.#phase === 'head') {
      this.#headLength += n
      return this.#parseHead()
    }
    if (this.#phase !== 'body') return false
    if (!this.#window) {
      // A streamed answer's bytes read with no take under way (the socket
      // had not stopped yet): kept for the next take.
      if (this.#o.streamed) this.#early = Buffer.concat([this.#early, buf.subarray(0, n)])
      return false
    }
    // Bytes read into the window in place, or (the first read after the
    // headers went into the buffer given before them) copied there.
    const inPlace = buf.buffer === this.#window.buffer && buf.byteOffset === this.#window.byteOffset + this.#filled
    const take = Math.min(n, this.#window.length - this.#filled)
    if (!inPlace) this.#window.set(buf.subarray(0, take), this.#filled)
    this.#filled += take
    return this.#o.streamed ? this.#pieceDone() : this.#checkComplete()
  }

  #parseHead(): boolean {
    const end = this.#head.subarray(0, this.#headLength).indexOf('\r\n\r\n')
    if (end < 0) {
      if (this.#headLength < this.#head.length) return true
      if (this.#head.length >= MAX_HEAD_BYTES) return this.#leaveToNodeHttp()
      const bigger = Buffer.allocUnsafe(MAX_HEAD_BYTES)
      this.#head.copy(bigger, 0, 0, this.#headLength)
      this.#head = bigger
      return true
    }
    const parsed = parseHead(this.#head.toString('latin1', 0, end))
    if (!parsed) return this.#leaveToNodeHttp()
    const { status, headers } = parsed
    const extra = this.#head.subarray(end + 4, this.#headLength)
    if (status === 200 || status === 206) {
      const length = Number(headers['content-length'])
      if (headers['transfer-encoding'] !== undefined || headers['content-length'] === undefined || !/^\d+$/.test(headers['content-length']) || length > this.#o.maxBodyBytes) {
        return this.#leaveToNodeHttp()
      }
      this.#phase = 'body'
      if (this.#o.streamed) {
        this.#bodyLength = length
        this.#early = Buffer.from(extra.subarray(0, length))
      } else {
        const given = this.#o.allocate?.(length)
        this.#window = given?.length === length ? given : Buffer.allocUnsafeSlow(length)
        this.#filled = extra.copy(this.#window, 0, 0, Math.min(extra.length, length))
      }
    } else {
      // Its body is only ever dropped: stop reading until the caller does.
      this.#phase = 'done'
    }
    this.#head = Buffer.alloc(0)
    this.#settled = true
    this.#answered({ status, headers, body: this.#body })
    if (this.#phase !== 'body') return false
    if (!this.#o.streamed) return this.#checkComplete()
    if (this.#bodyLength === 0) {
      this.#phase = 'done'
      this.#socket.destroy()
      return false
    }
    if (this.#takes.length > 0 && !this.#current) this.#nextTake()
    if (this.#current) return true
    this.#pause()
    return false
  }

  #checkComplete(): boolean {
    if (!this.#window || this.#filled < this.#window.length) return true
    this.#phase = 'done'
    const window = this.#window
    for (const w of this.#wholeWaiters.splice(0)) w.resolve(window)
    // The rest (nothing, from a server that keeps to its Content-Length) is
    // not wanted: the connection is closed as the request said it would be.
    this.#socket.destroy()
    return false
  }

  #leaveToNodeHttp(): boolean {
    this.#phase = 'done'
    this.#socket.destroy()
    if (!this.#settled) {
      this.#settled = true
      this.#answered(null)
    }
    return false
  }

  #fail(err: unknown): void {
    // A timeout or an abort is the reason, not the socket error it causes.
    if (this.#failure === null) this.#failure = err
    this.#ended()
  }

  #refuse(err: unknown): void {
    this.#failure = err
    this.#ended()
  }

  #ended(): void {
    if (this.#closed) return
    this.#closed = true
    this.#o.signal?.removeEventListener('abort', this.#onAbort)
    this.#socket.destroy()
    if (!this.#settled) {
      this.#settled = true
      this.#refused(this.#failure ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
    }
    for (const t of [...(this.#current ? [this.#current] : []), ...this.#takes.splice(0)]) t.reject(this.#bodyFailure())
    this.#current = null
    const complete = this.#window !== null && this.#filled === this.#window.length
    for (const w of this.#wholeWaiters.splice(0)) {
      if (complete) w.resolve(this.#window!)
      else w.reject(this.#bodyFailure())
    }
    this.#body.emit('close')
  }

  #bodyFailure(): unknown {
    return this.#failure ?? Object.assign(new Error('socket hang up while reading the answer'), { code: 'ECONNRESET' })
  }
}
