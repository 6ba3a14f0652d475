// The metadata cache's side of the store (listing-store.ts): listings read
// back as the cache holds them, and the store kept in step with every
// change the cache makes. A listing fetched from the bridge is written at
// once. A listing this mount changed itself (an upload finished, a folder
// made) is marked stale at once and written whole a moment later, once for
// a burst of changes: copying 1,000 files into a folder writes its listing a
// few times, not 1,000 times. Killed before that write, the folder is listed
// again before it is shown with the bridge up.

import { systemTime, type Time, type TimerHandle } from '../../clock.js'
import type { ListingStore } from '../store/listing-store.js'
import { buildListing, type FolderListing } from './folder-listing.js'

/** How long changes made through the mount gather before their listings are written. */
export const LOCAL_CHANGES_WRITE_DELAY_MS = 500

export class StoredListings {
  readonly #store: ListingStore
  readonly #time: Time
  readonly #dirty = new Map<string, FolderListing>()
  #timer: TimerHandle | null = null

  constructor(store: ListingStore, time: Time = systemTime) {
    this.#store = store
    this.#time = time
  }

  /** The stored listing of path, or undefined. */
  get(path: string): FolderListing | undefined {
    const dirty = this.#dirty.get(path)
    if (dirty) return dirty
    const stored = this.#store.get(path)
    if (!stored) return undefined
    const listing = buildListing(path, stored.self, stored.entries, stored.duplicateNames, stored.fetchedAtMs)
    if (stored.stale) listing.mustRevalidate = true
    return listing
  }

  fetchedAt(path: string): { fetchedAtMs: number; stale: boolean } | undefined {
    const dirty = this.#dirty.get(path)
    return dirty ? { fetchedAtMs: dirty.fetchedAtMs, stale: false } : this.#store.fetchedAt(path)
  }

  /** A listing just fetched from the bridge. */
  put(listing: FolderListing): void {
    this.#dirty.delete(listing.path)
    this.#store.put(toStored(listing))
  }

  /** A listing this mount changed itself: written at the next flush. */
  changedLocally(listing: FolderListing): void {
    if (!this.#dirty.has(listing.path)) this.#store.markStale(listing.path)
    this.#dirty.set(listing.path, listing)
    // close() flushes what is left: the timer alone need not keep a process up.
    this.#timer ??= this.#time.setTimeout(() => this.flush(), LOCAL_CHANGES_WRITE_DELAY_MS, { keepAlive: false })
  }

  markStale(path: string, options: { below?: boolean } = {}): void {
    this.#forgetDirty(path, options.below ?? false)
    this.#store.markStale(path, options)
  }

  deleteTree(path: string): void {
    this.#forgetDirty(path, true)
    this.#store.deleteTree(path)
  }

  clear(): void {
    this.#dirty.clear()
    this.#store.clear()
  }

  /** Writes the listings changed through the mount now (before closing). */
  flush(): void {
    this.#timer?.cancel()
    this.#timer = null
    for (const listing of this.#dirty.values()) this.#store.put(toStored(listing))
    this.#dirty.clear()
  }

  get newestFetchMs(): number | null {
    return this.#store.newestFetchMs
  }

  #forgetDirty(path: string, below: boolean): void {
    for (const key of [...this.#dirty.keys()]) {
      if (key === path || (below && (path === '/' || key.startsWith(path + '/')))) this.#dirty.delete(key)
    }
  }
}

function toStored(listing: FolderListing) {
  const entries = listing.names.map(name => listing.byName.get(name)!)
  return { path: listing.path, self: listing.self, entries, duplicateNames: listing.duplicateNames, fetchedAtMs: listing.fetchedAtMs, stale: false }
}
