// Header readings that follow MEGA's C++ server rather than HTTP's rules.

/** The value of a header whose name matches `name` byte for byte. MEGA's
 *  server matches `Range` case-sensitively, so fetch-based clients that send
 *  `range` get the whole file: Node's req.headers would hide that. */
export function rawHeaderExact(rawHeaders: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i] === name) return rawHeaders[i + 1]
  }
  return undefined
}

/** `Depth` read like C's atoi: absent means 1, anything that does not start
 *  with digits (such as `infinity`) means 0. */
export function parseDepth(value: string | undefined): number {
  if (value === undefined) return 1
  const match = /^\s*([+-]?\d+)/.exec(value)
  return match ? Number.parseInt(match[1]!, 10) : 0
}

export type RangeAnswer =
  | { kind: 'whole' } // 200 with the whole file
  | { kind: 'partial'; start: number; end: number } // 206, end inclusive
  | { kind: 'unsatisfiable' } // 416

/** Only `bytes=a-b` and `bytes=a-` are understood; anything else (suffix
 *  ranges, several ranges) falls back to the whole file. A range that covers
 *  the whole file is answered as the whole file (200, not 206). */
export function parseRange(value: string | undefined, size: number): RangeAnswer {
  if (value === undefined) return { kind: 'whole' }
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim())
  if (!match) return { kind: 'whole' }
  const start = Number(match[1])
  const requestedEnd = match[2] === '' ? Number.POSITIVE_INFINITY : Number(match[2])
  if (requestedEnd < start) return { kind: 'whole' }
  if (start === 0 && size === 0) return { kind: 'whole' }
  if (start >= size) return { kind: 'unsatisfiable' }
  const end = Math.min(requestedEnd, size - 1)
  if (start === 0 && end === size - 1) return { kind: 'whole' }
  return { kind: 'partial', start, end }
}
