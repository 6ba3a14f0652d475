// A folder's listing as the core holds it: its entries by name, in listing
// order, and what the metadata cache (metadata-cache.ts) needs to know about
// its age.

import type { RemoteEntry } from '../../remote/remote.js'

export interface FolderListing {
  path: string
  self: RemoteEntry
  byName: Map<string, RemoteEntry>
  /** Listing order, duplicates removed. */
  names: string[]
  duplicateNames: string[]
  fetchedAtMs: number
  /** Newest mtime among the children, for folders MEGA gives no time. */
  newestChildMs: number | null
  /** From the store, marked stale: listed again before it is shown while
   *  the bridge answers. */
  mustRevalidate?: true
  /** Counts the changes this mount made to the listing in place (its own
   *  creates, renames and deletes, metadata-cache.ts applyChange): what is
   *  derived from a listing object (listing-order.ts) checks it. */
  edits?: number
}

export function buildListing(path: string, self: RemoteEntry, entries: RemoteEntry[], duplicateNames: string[], fetchedAtMs: number): FolderListing {
  const byName = new Map<string, RemoteEntry>()
  let newest: number | null = null
  for (const entry of entries) {
    byName.set(entry.name, entry)
    if (entry.mtimeMs !== null && (newest === null || entry.mtimeMs > newest)) newest = entry.mtimeMs
  }
  return { path, self, byName, names: [...byName.keys()], duplicateNames, fetchedAtMs, newestChildMs: newest }
}

/** One change this mount made to a child of the folder, applied in place:
 *  entry null removes the name. */
export function applyEntry(listing: FolderListing, name: string, entry: RemoteEntry | null): void {
  if (entry) {
    if (!listing.byName.has(name)) {
      listing.names.push(name)
      listing.edits = (listing.edits ?? 0) + 1
    }
    listing.byName.set(name, { ...entry, name })
    if (entry.mtimeMs !== null && (listing.newestChildMs === null || entry.mtimeMs > listing.newestChildMs)) listing.newestChildMs = entry.mtimeMs
  } else if (listing.byName.delete(name)) {
    listing.names = listing.names.filter(n => n !== name)
    listing.edits = (listing.edits ?? 0) + 1
  }
}
