// Whether the answer to a ranged GET can carry exactly the bytes asked for.
// A body that does not is refused, never taken for the file: a short 206
// whose Content-Length matches its short body would otherwise read as the
// end of the file, and a gzip body as the file's bytes. Fewer bytes than
// asked are accepted only where the server shows the file ends there (a
// Content-Range whose end is the last byte of its total, or a 200 with the
// whole file).
import type { HttpResponse } from './http-request.js'
import { RemoteError } from './remote.js'

/** The body's Content-Encoding when it is anything but identity, or null. */
export function contentEncoding(res: HttpResponse): string | null {
  const value = res.headers['content-encoding']?.trim()
  return value && value.toLowerCase() !== 'identity' ? value : null
}

export function wrongBody(path: string, why: string): RemoteError {
  return new RemoteError('bad-reply', `GET ${path}: the server's answer does not carry the bytes asked for (${why}); nothing of it was used`)
}

/** How many body bytes a 200 or 206 answer to Range: bytes=offset-(offset+length-1)
 *  must carry (for a 200, at most). Throws RemoteError('bad-reply') when the
 *  headers already show the body cannot be the bytes asked for. */
export function expectedBodyBytes(res: HttpResponse, offset: number, length: number, path: string): number {
  const encoding = contentEncoding(res)
  if (encoding) throw wrongBody(path, `it is encoded with Content-Encoding: ${encoding}, although only identity was accepted`)
  const declared = contentLength(res)
  if (res.status === 200) {
    // A 200 is the whole file. It is what was asked for only when the range
    // starts at 0 and reaches the end; otherwise the server ignored Range,
    // and reading on would fetch the whole file for a small range.
    if (offset !== 0 || (declared !== null && declared > length)) {
      throw new RemoteError('bad-reply', `GET ${path}: the server ignored the Range header (answered 200 with the whole file for bytes ${offset}-${offset + length - 1})`, { status: 200 })
    }
    return declared ?? length
  }
  const header = res.headers['content-range']
  const range = parseContentRange(header)
  if (!range || range.start !== offset) {
    throw wrongBody(path, `asked for bytes from ${offset}, the server sent ${header === undefined ? 'no Content-Range' : `Content-Range ${header}`}`)
  }
  const askedEnd = offset + length - 1
  if (range.end < range.start || range.end > askedEnd || (range.total !== null && range.end >= range.total)) {
    throw wrongBody(path, `asked for bytes ${offset}-${askedEnd}, the server sent Content-Range ${header}`)
  }
  if (range.end < askedEnd && range.total !== range.end + 1) {
    throw wrongBody(path, `asked for bytes ${offset}-${askedEnd}, the server sent Content-Range ${header}: fewer, and not up to the end of the file`)
  }
  const expected = range.end - range.start + 1
  if (declared !== null && declared !== expected) {
    throw wrongBody(path, `Content-Range ${header} promises ${expected} bytes, Content-Length says ${declared}`)
  }
  return expected
}

function contentLength(res: HttpResponse): number | null {
  const value = res.headers['content-length']
  if (value === undefined) return null
  const n = Number(value)
  return Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** 'bytes a-b/total' (total may be '*'), or null. */
function parseContentRange(header: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header ?? '')
  if (!m) return null
  const [start, end] = [Number(m[1]), Number(m[2])]
  const total = m[3] === '*' ? null : Number(m[3])
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (total !== null && !Number.isSafeInteger(total))) return null
  return { start, end, total }
}
