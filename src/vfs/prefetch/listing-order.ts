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

const localeCollator = new Intl.Collator()
const naturalCollator = new Intl.Collator(undefined, { numeric: true })

const SORTS: Record<NameOrderKind, ((a: string, b: string) => number) | null> = {
  listing: null,
  codepoint: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  locale: (a, b) => localeCollator.compare(a, b),
  natural: (a, b) => naturalCollator.compare(a, b),
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
    const names = sort ? [...listing.names].sort(sort) : listing.names
    order = { kind, names, index: new Map(names.map((name, i) => [name, i])) }
    byKind.set(kind, order)
  }
  return order
}
