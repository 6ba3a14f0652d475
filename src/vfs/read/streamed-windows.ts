// Where one connection to the server is fast (a server on this machine or the
// LAN), a sequential reader's windows come from one GET that asks for
// everything up to the next cached byte (range-stream.ts in src/remote),
// taken window by window. Each GET costs a connection and the server opening
// and seeking the file: on rclone serve, 32 GETs of 8 MiB made a cold 256 MiB
// read a third slower than one GET (docs/performance.md). Where one
// connection is slow (a MEGA link), windows stay a GET each with the next in
// flight beside it, two connections at once, which is faster there. Which
// one a link is, the handle's own windows tell: a plain window of
// STREAM_MIN_WINDOW_BYTES or more that arrived at STREAM_MIN_BYTES_PER_MS.
//
// A seek or the end of the handle ends the stream (end()), and a window not
// where the stream is opens a new one. A stream that fails hands its window
// to a plain GET, which fails or not on its own.

import type { Logger } from '../../log.js'
import type { ContentStream, Remote } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'

/** A reader that got this far in order (the 128, 256 and 512 KiB windows
 *  before) reads on. A `file` or a thumbnailer reading a head stops before. */
export const STREAM_MIN_WINDOW_BYTES = 1024 * 1024
/** 100 MiB/s: more than a MEGA link gives one connection, less than a
 *  server on the same machine or LAN. Request to last byte of a window. */
export const STREAM_MIN_BYTES_PER_MS = (100 * 1024 * 1024) / 1000

export interface StreamedWindowsOptions {
  path: string
  remote: Remote
  gate: BridgeGate
  logger: Logger
  /** Milliseconds, for how fast windows arrive (default performance.now). */
  now?: () => number
}

export class StreamedWindows {
  readonly #o: StreamedWindowsOptions
  #stream: ContentStream | null = null
  /** Whether the last plain window of STREAM_MIN_WINDOW_BYTES or more came
   *  fast enough for a stream to pay. */
  #fastLink = false

  constructor(options: StreamedWindowsOptions) {
    this.#o = options
  }

  /** [offset, offset + length): from the stream when the link is fast and
   *  the window is large, else from plain() (timed, to tell the link).
   *  limit(): where bytes not cached or in flight end, from offset. */
  window(offset: number, length: number, limit: () => number, allocate: (n: number) => Buffer, plain: () => Promise<Buffer>): Promise<Buffer> {
    if (length < STREAM_MIN_WINDOW_BYTES) return plain()
    return this.#fromStream(offset, length, limit, allocate, plain) ?? this.#timed(plain())
  }

  end(): void {
    this.#stream?.close()
    this.#stream = null
  }

  #timed(data: Promise<Buffer>): Promise<Buffer> {
    const now = this.#o.now ?? (() => performance.now())
    const started = now()
    return data.then(buffer => {
      this.#fastLink = buffer.length / Math.max(1, now() - started) >= STREAM_MIN_BYTES_PER_MS
      return buffer
    })
  }

  #fromStream(offset: number, length: number, limit: () => number, allocate: (n: number) => Buffer, plain: () => Promise<Buffer>): Promise<Buffer> | null {
    const { remote, path, gate, logger } = this.#o
    if (!this.#fastLink || !remote.openStream) return null
    let stream = this.#stream
    if (!stream || stream.closed || stream.position !== offset || offset + length > stream.end) {
      this.end()
      const end = limit()
      if (end - offset <= length) return null
      stream = remote.openStream(path, offset, end - offset, { signal: gate.signal })
      if (!stream) return null
      this.#stream = stream
    }
    const taken = stream
    return taken.take(length, allocate).catch((err: unknown) => {
      if (this.#stream === taken) this.#stream = null
      if (gate.signal.aborted) throw err
      logger.debug({ path, offset, length, err: String(err) }, 'streamed read failed; asking for the window alone')
      return plain()
    })
  }
}
