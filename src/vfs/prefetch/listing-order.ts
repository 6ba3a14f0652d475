// The orders in which a program may walk the files of a folder, for the
// small-file prefetch to recognise which one a reader follows: the bridge's
// listing order (what readdir returns: `cp -r`, `find`, tar), plain code-point
// order (a shell glob such as `cat *` in the C locale), the locale's collation
// (the same glob in a UTF-8 locale) and natural order with numbers compared by
// value (file managers: img2 before img10). MEGA's listing order is not
// sorted, so a `cat *` does not follow it.

import type { FolderListing } from '../cache/metadata-cache.js'

export type NameOrderKind = 'listing' | 'codepoint' | 'locale' | 'natural'

export const NAME_ORDER_KINDS: readonly NameOrderKind[] = ['listing', 'codepoint', 'locale', 'natural']

export interface NameOrder {
  kind: NameOrderKind
  names: readonly string[]
  /** Name -> position in names. */
  index: ReadonlyMap<string, number>
}

// Compared in JavaScript, not with Intl.Collator: making the two collators
// read about 3 MiB of ICU's collation data into every daemon at start,
// resident for good, for an order that is only a guess at a program's.
// glibc's strcoll, GLib's file-name keys and Qt's collator each differ from
// ICU's root order anyway; what they share for the names people give files
// is what is kept: case and accents set aside first (NFD and its marks
// dropped, 0.4 MiB of ICU's data, touched only for a name that is not ASCII),
// and (natural) digit runs by value.

/** A name as the locale and natural orders compare it: lower-cased and
 *  without accents, cut into runs of digits and of the rest. */
interface SortKey {
  name: string
  folded: string
  runs: string[]
}

function sortKey(name: string): SortKey {
  // eslint-disable-next-line no-control-regex
  const plain = /^[\x00-\x7f]*$/.test(name)
  const folded = (plain ? name : name.normalize('NFD').replace(/\p{M}/gu, '')).toLowerCase()
  return { name, folded, runs: folded.match(/\d+|\D+/g) ?? [] }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function localeOrder(a: SortKey, b: SortKey): number {
  return byCodePoint(a.folded, b.folded) || byCodePoint(a.name, b.name)
}

function naturalOrder(a: SortKey, b: SortKey): number {
  const n = Math.min(a.runs.length, b.runs.length)
  for (let i = 0; i < n; i++) {
    const x = a.runs[i]!
    const y = b.runs[i]!
    if (x === y) continue
    if (isDigit(x) && isDigit(y)) {
      // By value: fewer digits (leading zeros aside) is smaller.
      const vx = x.replace(/^0+(?=\d)/, '')
      const vy = y.replace(/^0+(?=\d)/, '')
      const diff = vx.length - vy.length || byCodePoint(vx, vy)
      if (diff !== 0) return diff
      continue
    }
    return byCodePoint(x, y)
  }
  return a.runs.length - b.runs.length || localeOrder(a, b)
}

function isDigit(run: string): boolean {
  const c = run.charCodeAt(0)
  return c >= 48 && c <= 57
}

function sorted(names: readonly string[], order: (a: SortKey, b: SortKey) => number): string[] {
  return names
    .map(sortKey)
    .sort(order)
    .map(k => k.name)
}

const SORTS: Record<NameOrderKind, ((names: readonly string[]) => string[]) | null> = {
  listing: null,
  codepoint: names => [...names].sort(byCodePoint),
  locale: names => sorted(names, localeOrder),
  natural: names => sorted(names, naturalOrder),
}

// Computed when first needed, kept as long as the listing object lives (a new
// listing of the folder is a new object) and the mount has not changed its
// names in place (`edits`).
const computed = new WeakMap<FolderListing, { edits: number; byKind: Map<NameOrderKind, NameOrder> }>()

export function nameOrder(listing: FolderListing, kind: NameOrderKind): NameOrder {
  const edits = listing.edits ?? 0
  let cached = computed.get(listing)
  if (cached?.edits !== edits) computed.set(listing, (cached = { edits, byKind: new Map() }))
  const byKind = cached.byKind
  let order = byKind.get(kind)
  if (!order) {
    const sort = SORTS[kind]
    const names = sort ? sort(listing.names) : listing.names
    order = { kind, names, index: new Map(names.map((name, i) => [name, i])) }
    byKind.set(kind, order)
  }
  return order
}
