// One ranged GET read in pieces by a sequential reader (read-handle.ts in the
// vfs). Every GET costs a new connection and the server opening the file and
// seeking to the range (MEGAcmd starts a transfer from MEGA for each), and
// while one window's request waits for its answer nothing else arrives: a
// cold 256 MiB read sent 32 GETs of 8 MiB one after another and took a third
// longer than one GET of the whole file (docs/performance.md). A stream sends
// its request once, for all the reader has not got yet, and hands the body
// out window by window; between windows the server is held back by TCP
// (direct-get.ts), so memory is only the windows taken.
import { DirectBody } from './direct-get.js'
import { discardBody, type HttpResponse } from './http-request.js'
import { expectedBodyBytes, wrongBody } from './range-answer.js'
import { RemoteError, type ContentStream } from './remote.js'

/** A stream nobody takes from for this long is closed: it holds one of the
 *  mount's request slots, and a reader that stopped should not keep it. */
export const STREAM_PAUSED_IDLE_MS = 1_000

/** The body of a 200 or 206 answer to Range: bytes=offset-(offset+length-1)
 *  when it carries exactly those bytes and can be taken in pieces; throws
 *  (the body dropped) otherwise. A shorter answer (the file shrank on the
 *  server) is left to read(), which says why. */
export function streamedBody(res: HttpResponse, offset: number, length: number, what: string): DirectBody {
  try {
    if (expectedBodyBytes(res, offset, length, what) !== length) throw wrongBody(what, 'fewer bytes than the range asked for')
    if (!(res.body instanceof DirectBody)) throw new RemoteError('bad-reply', `GET ${what}: the answer cannot be taken in pieces`)
    return res.body
  } catch (err) {
    discardBody(res)
    throw err
  }
}

export class RangeStream implements ContentStream {
  readonly end: number
  #position: number
  #closed = false
  readonly #body: Promise<DirectBody>
  readonly #what: string
  readonly #onBytes: (n: number) => void
  readonly #mapError: (err: unknown) => unknown

  /** body: the answer's body once its headers were checked to carry
   *  exactly [offset, end) (it rejects otherwise). */
  constructor(options: { body: Promise<DirectBody>; offset: number; end: number; what: string; onBytes: (n: number) => void; mapError: (err: unknown) => unknown }) {
    this.#body = options.body
    this.#position = options.offset
    this.end = options.end
    this.#what = options.what
    this.#onBytes = options.onBytes
    this.#mapError = options.mapError
    this.#body.then(
      body => body.once('close', () => (this.#closed = true)),
      () => (this.#closed = true),
    )
  }

  get position(): number {
    return this.#position
  }

  get closed(): boolean {
    return this.#closed
  }

  take(length: number, allocate?: (length: number) => Buffer): Promise<Buffer> {
    const n = Math.min(length, this.end - this.#position)
    if (this.#closed || n <= 0) return Promise.reject(new Error(`${this.#what}: the stream is closed or has no bytes left`))
    const from = this.#position
    this.#position += n
    return this.#body.then(body => body.take(n, allocate)).then(
      piece => {
        if (piece.length !== n) throw wrongBody(this.#what, `the stream ended at ${from + piece.length} before ${from + n}`)
        this.#onBytes(n)
        return piece
      },
      (err: unknown) => {
        this.close()
        throw this.#mapError(err)
      },
    )
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#body.then(
      body => body.destroy(),
      () => {},
    )
  }
}
