// GET answers whose body is not the bytes asked for, sent on purpose with a
// plausible status and headers: what a broken proxy or a buggy server can
// send, and what a client must refuse rather than take for the file (see
// docs/emulator.md, "Broken bodies").
import { gzipSync } from 'node:zlib'

export const BODY_FAULTS = ['short-body', 'range-mismatch', 'short-range', 'gzip'] as const
export type BodyFault = (typeof BODY_FAULTS)[number]

export function isBodyFault(value: string): value is BodyFault {
  return (BODY_FAULTS as readonly string[]).includes(value)
}

/** What to send instead of the honest answer. */
export interface FaultyAnswer {
  status: number
  headers: Record<string, string | number>
  body: Buffer
  /** Send without Content-Length (chunked), so only the body's end says how long it is. */
  chunked: boolean
}

/** The broken answer for bytes [start, end] (inclusive) of a file of `size`
 *  bytes, whose honest answer would have had `status` (200 or 206). */
export function faultyAnswer(fault: BodyFault, bytes: Buffer, start: number, end: number, size: number, status: number): FaultyAnswer {
  const half = bytes.subarray(0, Math.floor(bytes.length / 2))
  const honestRange: Record<string, string> = status === 206 ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}
  switch (fault) {
    case 'short-body':
      // The headers agree with each other; the Content-Length matches the
      // body, which is half of the range the Content-Range promises.
      return { status, headers: { ...honestRange }, body: half, chunked: false }
    case 'range-mismatch':
      // The Content-Range promises the range asked for; a chunked body ends
      // after half of it.
      return { status, headers: { ...honestRange }, body: half, chunked: true }
    case 'short-range':
      // Consistent headers for the first half of the range only, though the
      // file goes on: less than asked, not at the end of the file.
      return { status: 206, headers: { 'Content-Range': `bytes ${start}-${start + half.length - 1}/${size}` }, body: half, chunked: false }
    case 'gzip':
      return { status, headers: { ...honestRange, 'Content-Encoding': 'gzip' }, body: gzipSync(bytes), chunked: false }
  }
}
