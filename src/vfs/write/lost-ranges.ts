// Byte ranges of a staged file that a write failed to change (the local
// disk was full): the program was told so, and the staged copy is not the
// content it meant. Such a file must never be uploaded as if complete. A
// later write that succeeds over a range, or a truncate below it, makes it
// whole again. Ranges are [start, end), sorted and disjoint.

export type Range = [number, number]

export function addRange(ranges: Range[], start: number, end: number): Range[] {
  if (end <= start) return ranges
  const out: Range[] = []
  let [s, e] = [start, end]
  for (const [a, b] of ranges) {
    if (b < s || a > e) out.push([a, b])
    else [s, e] = [Math.min(s, a), Math.max(e, b)]
  }
  out.push([s, e])
  return out.sort((x, y) => x[0] - y[0])
}

export function removeRange(ranges: Range[], start: number, end: number): Range[] {
  if (end <= start) return ranges
  const out: Range[] = []
  for (const [a, b] of ranges) {
    if (b <= start || a >= end) {
      out.push([a, b])
      continue
    }
    if (a < start) out.push([a, start])
    if (b > end) out.push([end, b])
  }
  return out
}

/** What is left of the ranges in a file cut to size bytes. */
export function clipRanges(ranges: Range[], size: number): Range[] {
  return removeRange(ranges, size, Infinity)
}

export function rangeBytes(ranges: Range[]): number {
  return ranges.reduce((sum, [a, b]) => sum + b - a, 0)
}
