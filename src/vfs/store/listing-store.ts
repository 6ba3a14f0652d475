// Folder listings on disk, behind the metadata cache's memory LRU
// (metadata-cache.ts): what a mount shows at start while the bridge is down
// or MEGAcmd is still loading, and what answers a folder the LRU let go of
// without a request. One row per listing: when it was fetched, the folder's
// own attributes, and its entries in listing order as one JSON array (a
// listing is always read and written whole; one row costs a tenth of a row
// per entry to write).
//
// A listing marked stale (something changed in the folder through the
// mount, or `mountctl refresh`) is still shown while the bridge is down, but
// never served ahead of the bridge.

import type { RemoteEntry } from '../../remote/remote.js'
import { baseName, childPath, parentOf } from '../paths.js'
import type { StoreDb } from './store-database.js'
import type { StoreGuard } from './store-guard.js'

export interface StoredListing {
  path: string
  self: RemoteEntry
  /** In listing order. */
  entries: RemoteEntry[]
  duplicateNames: string[]
  fetchedAtMs: number
  /** Must be listed again before it is shown while the bridge answers. */
  stale: boolean
}

export interface ListingStoreStats {
  listings: number
  entries: number
  /** When the newest listing was fetched: the tree as of then. */
  newestFetchMs: number | null
}

type EntryRow = [name: string, isDir: 0 | 1, size: number, mtime: number | null, ctime: number | null, etag: string | null]

interface ListingRow {
  fetched_at: number
  stale: number
  self_mtime: number | null
  self_ctime: number | null
  self_etag: string | null
  duplicates: string | null
  entries: string
}

/** Bounds of the paths strictly below folder, for a range scan: every such
 *  path starts with folder + '/', and '0' is the byte after '/'. */
function belowBounds(folder: string): [string, string] {
  const prefix = folder === '/' ? '/' : folder + '/'
  return [prefix, prefix.slice(0, -1) + '0']
}

export class ListingStore {
  readonly #db: StoreDb
  readonly #guard: StoreGuard
  readonly #q
  #newestFetchMs: number | null

  constructor(db: StoreDb, guard: StoreGuard) {
    this.#db = db
    this.#guard = guard
    this.#q = {
      get: db.prepare('SELECT fetched_at, stale, self_mtime, self_ctime, self_etag, duplicates, entries FROM listings WHERE path = ?'),
      fetchedAt: db.prepare('SELECT fetched_at, stale FROM listings WHERE path = ?'),
      children: db.prepare('SELECT path FROM listings WHERE parent = ?').pluck(),
      put: db.prepare(
        'INSERT INTO listings (path, parent, fetched_at, stale, self_mtime, self_ctime, self_etag, duplicates, entry_count, entries) ' +
          'VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET fetched_at = excluded.fetched_at, stale = 0, ' +
          'self_mtime = excluded.self_mtime, self_ctime = excluded.self_ctime, self_etag = excluded.self_etag, ' +
          'duplicates = excluded.duplicates, entry_count = excluded.entry_count, entries = excluded.entries',
      ),
      markStale: db.prepare('UPDATE listings SET stale = 1 WHERE path = ?'),
      markStaleBelow: db.prepare('UPDATE listings SET stale = 1 WHERE path >= ? AND path < ?'),
      deleteOne: db.prepare('DELETE FROM listings WHERE path = ?'),
      deleteBelow: db.prepare('DELETE FROM listings WHERE path >= ? AND path < ?'),
      stats: db.prepare('SELECT count(*) AS listings, coalesce(sum(entry_count), 0) AS entries, max(fetched_at) AS newest FROM listings'),
    }
    this.#newestFetchMs = this.stats().newestFetchMs
  }

  get(path: string): StoredListing | undefined {
    return this.#guard.run('reading a stored listing', () => this.#get(path), undefined)
  }

  #get(path: string): StoredListing | undefined {
    const row = this.#q.get.get(path) as ListingRow | undefined
    if (!row) return undefined
    const entries = (JSON.parse(row.entries) as EntryRow[]).map(
      ([name, isDir, size, mtimeMs, ctimeMs, etag]): RemoteEntry => ({ name, isDir: isDir === 1, size, mtimeMs, ctimeMs, etag }),
    )
    return {
      path,
      self: { name: path === '/' ? '' : baseName(path), isDir: true, size: 0, mtimeMs: row.self_mtime, ctimeMs: row.self_ctime, etag: row.self_etag },
      entries,
      duplicateNames: row.duplicates ? (JSON.parse(row.duplicates) as string[]) : [],
      fetchedAtMs: row.fetched_at,
      stale: row.stale === 1,
    }
  }

  /** When path's stored listing was fetched, without reading its entries. */
  fetchedAt(path: string): { fetchedAtMs: number; stale: boolean } | undefined {
    return this.#guard.run(
      'reading a stored listing',
      () => {
        const row = this.#q.fetchedAt.get(path) as { fetched_at: number; stale: number } | undefined
        return row && { fetchedAtMs: row.fetched_at, stale: row.stale === 1 }
      },
      undefined,
    )
  }

  /** Replaces the stored listing of path. Subfolders that are gone from it
   *  (removed, or now a file) lose their stored listings too. */
  put(listing: StoredListing): void {
    this.#guard.run('storing a listing', () => this.#put(listing), undefined)
  }

  #put(listing: StoredListing): void {
    const { path, self, entries } = listing
    const rows = entries.map((e): EntryRow => [e.name, e.isDir ? 1 : 0, e.size, e.mtimeMs, e.ctimeMs, e.etag])
    const duplicates = listing.duplicateNames.length > 0 ? JSON.stringify(listing.duplicateNames) : null
    this.#db.transaction(() => {
      const folders = new Set(entries.filter(e => e.isDir).map(e => childPath(path, e.name)))
      for (const child of this.#q.children.all(path) as string[]) if (!folders.has(child)) this.#deleteTree(child)
      this.#q.put.run(path, path === '/' ? '' : parentOf(path), listing.fetchedAtMs, self.mtimeMs, self.ctimeMs, self.etag, duplicates, rows.length, JSON.stringify(rows))
    })()
    if (this.#newestFetchMs === null || listing.fetchedAtMs > this.#newestFetchMs) this.#newestFetchMs = listing.fetchedAtMs
  }

  /** Keeps the listing for while the bridge is down, but it must be listed
   *  again before it is shown with the bridge up. */
  markStale(path: string, options: { below?: boolean } = {}): void {
    this.#guard.run(
      'marking a listing stale',
      () => {
        this.#q.markStale.run(path)
        if (options.below) this.#q.markStaleBelow.run(...belowBounds(path))
      },
      undefined,
    )
  }

  /** Forgets path's listing and every listing below it. */
  deleteTree(path: string): void {
    this.#guard.run('deleting stored listings', () => this.#db.transaction(() => this.#deleteTree(path))(), undefined)
  }

  #deleteTree(path: string): void {
    this.#q.deleteOne.run(path)
    this.#q.deleteBelow.run(...belowBounds(path))
  }

  clear(): void {
    this.#guard.run(
      'clearing stored listings',
      () => {
        this.#db.exec('DELETE FROM listings')
        this.#newestFetchMs = null
      },
      undefined,
    )
  }

  /** When the newest listing was fetched (kept in memory: status asks often). */
  get newestFetchMs(): number | null {
    return this.#newestFetchMs
  }

  stats(): ListingStoreStats {
    const row = this.#guard.run('counting stored listings', () => this.#q.stats.get() as { listings: number; entries: number; newest: number | null }, {
      listings: 0,
      entries: 0,
      newest: null,
    })
    return { listings: row.listings, entries: row.entries, newestFetchMs: row.newest || null }
  }
}
