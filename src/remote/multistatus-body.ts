// Reading a PROPFIND answer off the socket straight into the parser, piece
// by piece, under a byte cap. A hostile or broken server once sent a 1.1 GB
// answer that the daemon buffered whole and grew to 2.36 GB (issue 9); and a
// 40 MB answer parsed in one go would hold the event loop, and with it every
// mount and the control socket, for the whole parse.
import { StringDecoder } from 'node:string_decoder'
import { RemoteError } from './remote.js'
import { consumeBody, discardBody, type HttpResponse } from './http-request.js'
import type { MultistatusReader, ParsedMultistatus } from './propfind-parser.js'

export interface AnswerLimit {
  /** Bytes of one answer read at most. */
  maxBytes: number
  /** The request and folder, for messages: 'PROPFIND /Photos'. */
  what: string
  /** host:port of the server, for messages. */
  host: string
  /** Called with each piece's size as it arrives (for statistics). */
  onBytes?: (bytes: number) => void
}

/** '256 MiB', '1,049 MiB', '512 KiB'. */
export function showBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / (1024 * 1024)).toLocaleString('en-US')} MiB`
  if (n >= 1024) return `${Math.round(n / 1024).toLocaleString('en-US')} KiB`
  return `${n} bytes`
}

function tooLarge(limit: AnswerLimit, size: string): RemoteError {
  return new RemoteError(
    'bad-reply',
    `${limit.what}: the answer from ${limit.host} is ${size}, over the ${showBytes(limit.maxBytes)} megamount reads for one folder listing ` +
      `(a folder of 100,000 files takes about 40 MiB): split the folder into smaller ones (mega-mkdir, mega-mv), or check that the server is MEGAcmd's bridge`,
  )
}

/** Feeds the body to `reader` as it arrives and resolves with the parsed
 *  answer. Past the cap, or at the first parse error, the connection is
 *  dropped and nothing more is read. Rejects with RemoteError for those, or
 *  with the socket's error (for the caller to classify). */
export function readMultistatus(response: HttpResponse, reader: MultistatusReader, limit: AnswerLimit): Promise<ParsedMultistatus> {
  const declared = Number(response.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit.maxBytes) {
    discardBody(response)
    return Promise.reject(tooLarge(limit, `${showBytes(declared)} (its Content-Length)`))
  }
  // UTF-8 characters split between two pieces are joined again.
  const decoder = new StringDecoder('utf8')
  let received = 0
  return consumeBody(response.body, {
    piece(chunk, stop) {
      received += chunk.length
      limit.onBytes?.(chunk.length)
      if (received > limit.maxBytes) {
        stop({ error: tooLarge(limit, `more than ${showBytes(limit.maxBytes)}`) })
        return
      }
      try {
        reader.write(decoder.write(chunk))
      } catch (error) {
        stop({ error })
      }
    },
    end() {
      reader.write(decoder.end())
      return reader.end()
    },
  })
}
