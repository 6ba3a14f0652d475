// Folder listings and "no such name" answers, the only metadata the core
// keeps. One PROPFIND (Depth 1) answers getattr for every child of a folder,
// so attributes are never fetched one file at a time: a lookup is always a
// look into the parent's listing. File managers probe many names that do not
// exist (.hidden, .directory, .DS_Store, autorun.inf, thumbnails...): with
// the parent listed recently those cost no request, and a negative entry
// keeps answering for a while after the parent listing itself expired.
//
// Entries are kept past their TTL (within the entry bound) so that while the
// bridge is down, or a refresh fails for a transient reason, what was seen
// last stays browsable.
//
// Behind the memory LRU, listings are kept in the mount's store
// (stored-listings.ts): one the LRU let go of comes back without a request,
// and a mount starts with the tree it showed last time. A stored listing of
// an earlier mount is served at once and listed again behind (stale-while-
// revalidate) unless older than storedMaxAgeMs or marked stale: then, with
// the bridge up, the folder waits for its listing as on a first visit; with
// the bridge down it is shown at any age. Opening a file waits for its
// folder's new listing (confirm): a file changed on the server while the
// mount was away is never read from its old bytes.

import { LRUCache } from 'lru-cache'
import { FsError } from '../../errors.js'
import { RemoteError, type Listing, type RemoteEntry } from '../../remote/remote.js'
import { baseName, childPath, isSameOrBelow, parentOf } from '../paths.js'
import { toFsError } from '../remote-errors.js'
import { DuplicateNames } from './duplicate-names.js'
import { NamesByFolder } from './names-by-folder.js'
import { ListingRequests, listUntilCurrent, type Fetch } from './listing-requests.js'
import { applyEntry, buildListing, type FolderListing } from './folder-listing.js'
import { StoredListings } from './stored-listings.js'
import { DEFAULT_STORED_MAX_AGE_MS, type KnownKind, type MetadataCacheOptions, type MetadataCacheStats } from './metadata-cache-options.js'

export type { FolderListing }
export { DEFAULT_STORED_MAX_AGE_MS, type KnownKind, type MetadataCacheOptions, type MetadataCacheStats } from './metadata-cache-options.js'

type CacheValue = { kind: 'listing'; listing: FolderListing } | { kind: 'missing'; atMs: number }

export class MetadataCache {
  readonly #o: MetadataCacheOptions
  // Keyed by normalized path: a folder's listing, or the fact that the path
  // does not exist. Never both: storing one replaces the other.
  readonly #entries: LRUCache<string, CacheValue>
  readonly #requests = new ListingRequests()
  readonly #duplicates: DuplicateNames
  /** Names left out of each folder's latest listing (entry-checks.ts). */
  readonly #unusable = new NamesByFolder()
  #hits = 0
  #misses = 0
  readonly #stored: StoredListings | null
  // Stored listings fetched before this moment come from an earlier mount.
  readonly #sessionStartMs: number
  readonly #storedMaxAgeMs: number

  constructor(options: MetadataCacheOptions) {
    this.#o = { ...options }
    this.#stored = options.store ? new StoredListings(options.store, options.time) : null
    this.#sessionStartMs = options.clock.now()
    this.#storedMaxAgeMs = options.storedMaxAgeMs ?? DEFAULT_STORED_MAX_AGE_MS
    this.#duplicates = new DuplicateNames(options.logger)
    // Bounded in entries, not listings: a listing counts one per child plus
    // itself, so the memory it takes follows maxEntries whatever the folder
    // sizes (a crawl of 100,000 files plateaus). A folder larger than the
    // whole bound counts as the bound: it is kept, alone.
    const maxEntries = Math.max(1, options.maxEntries)
    this.#entries = new LRUCache<string, CacheValue>({
      maxSize: maxEntries,
      sizeCalculation: value => (value.kind === 'listing' ? Math.min(maxEntries, 1 + value.listing.names.length) : 1),
    })
  }

  /** The listing of a folder: cached while fresh, fetched otherwise (one
   *  request in flight per folder), stale when the bridge is down. */
  async listFolder(path: string): Promise<FolderListing> {
    // listUntilCurrent's first round inline: a caller joining a request resumes as soon
    // as the request's own continuations (prefetch's order depends on it).
    const answer = this.#listOnce(path)
    if (!('promise' in answer)) return answer
    const listing = await answer.promise
    return answer.superseded ? (await listUntilCurrent(() => this.#listOnce(path), 2)).listing : listing
  }

  #listOnce(path: string): FolderListing | Fetch {
    const cached = this.#entries.get(path)
    if (cached?.kind === 'missing' && this.#fresh(cached.atMs, this.#o.negativeTtlMs)) {
      this.#hits++
      throw new FsError('ENOENT', `${path}: no such folder`)
    }
    const listing = cached?.kind === 'listing' ? cached.listing : cached ? undefined : this.#loadStored(path)
    if (listing && this.#isFresh(listing)) {
      this.#hits++
      return listing
    }
    if (!this.#o.gate.available) {
      if (listing) {
        this.#hits++
        return listing
      }
      this.#o.gate.check(`list ${path}`)
    }
    if (listing && this.#servesAhead(listing)) {
      this.#hits++
      if (!this.#requests.has(path)) {
        this.#start(path, listing).catch(err => this.#o.logger.debug({ err, path }, 'listing again behind a stored listing failed'))
      }
      return listing
    }
    const running = this.#requests.get(path)
    if (running) {
      this.#hits++
      return running
    }
    this.#misses++
    return this.#begin(path, listing)
  }

  #start(path: string, stale: FolderListing | undefined, memory = true): Promise<FolderListing> {
    return this.#begin(path, stale, memory).promise
  }

  #begin(path: string, stale: FolderListing | undefined, memory = true): Fetch {
    return this.#requests.begin(path, memory, fetch => this.#fetch(path, stale, fetch))
  }

  /** Whether listing a folder now would send a request: nothing fresh is
   *  cached for it (listing or "missing") and no request is in flight. */
  needsListing(path: string): boolean {
    if (this.#requests.has(path)) return false
    const cached = this.#entries.peek(path)
    if (cached?.kind === 'missing') return !this.#fresh(cached.atMs, this.#o.negativeTtlMs)
    if (cached?.kind === 'listing') return !this.#isFresh(cached.listing)
    const stored = this.#stored?.fetchedAt(path)
    return !stored || stored.stale || !this.#fresh(stored.fetchedAtMs, this.#o.ttlMs)
  }

  /** Before a file of folder is opened: when the folder's listing is a
   *  stored one from an earlier mount and the bridge is up, wait for the
   *  folder to be listed again, so the file's version (size, time, ETag) is
   *  the server's. Failures leave the stored listing in place. */
  async confirm(folder: string): Promise<void> {
    const listing = this.peekListing(folder, { stored: true })
    if (!listing || this.#isFresh(listing) || !this.#o.gate.available) return
    await (this.#requests.get(folder)?.promise ?? this.#start(folder, listing)).catch(() => {})
  }

  /** For prefetch (folder-prefetch.ts): list a folder ahead of the user when
   *  that needs a request, through the same in-flight map so a user's
   *  listFolder of it waits for this request instead of sending its own.
   *  Counts as neither hit nor miss. Resolves false when nothing was sent. */
  async listAhead(path: string): Promise<boolean> {
    if (!this.needsListing(path)) return false
    this.#o.gate.check(`list ${path}`)
    await this.#start(path, this.peekListing(path))
    return true
  }

  /** A current listing for background work (offline folders): fresh from
   *  memory or the store, else fetched. A fetched listing is stored but
   *  takes no room in memory unless its folder is there already. */
  async listBehind(path: string): Promise<FolderListing> {
    const cached = this.#entries.peek(path)
    if (cached?.kind === 'listing' && this.#isFresh(cached.listing)) return cached.listing
    const stored = this.#stored?.get(path)
    if (stored && this.#isFresh(stored)) return stored
    this.#o.gate.check(`list ${path}`)
    return this.#requests.get(path)?.promise ?? this.#start(path, undefined, false)
  }

  async #fetch(path: string, stale: FolderListing | undefined, fetch: Fetch): Promise<FolderListing> {
    const what = `list ${path}`
    try {
      const result = await this.#o.remote.list(path, { signal: this.#o.gate.signal })
      if (!result.self.isDir) throw new FsError('ENOTDIR', `${path} is a file`)
      return this.#store(path, result, !fetch.superseded, fetch.memory, fetch.changes)
    } catch (err) {
      const down = this.#o.gate.downError(what)
      if (stale && (down || (err instanceof RemoteError && err.transient))) {
        this.#o.logger.warn({ err, path }, 'refresh failed, serving the listing seen last')
        return stale
      }
      if (down) throw down
      if (err instanceof RemoteError && err.kind === 'not-found' && !fetch.superseded) {
        this.#entries.set(path, { kind: 'missing', atMs: this.#o.clock.now() })
        this.#stored?.deleteTree(path)
      }
      throw toFsError(err, { what, logger: this.#o.logger })
    }
  }

  /** The listing of an answer, with the changes made while it was asked
   *  for; kept in the cache unless `keep` is false (a superseded request's
   *  answer is only handed to its own callers), in memory too when `memory`
   *  or when memory holds the folder already. */
  #store(path: string, result: Listing, keep: boolean, memory: boolean, changes: Array<[string, RemoteEntry | null]>): FolderListing {
    const { self, entries, duplicateNames } = result
    const listing = buildListing(path, self, entries, duplicateNames, this.#o.clock.now())
    for (const [name, entry] of changes) applyEntry(listing, name, entry)
    if (!keep) return listing
    for (const name of listing.names) {
      // A name that now exists must not stay "missing".
      const child = childPath(path, name)
      if (this.#entries.peek(child)?.kind === 'missing') this.#entries.delete(child)
    }
    this.#stored?.put(listing)
    this.#duplicates.note(path, duplicateNames)
    this.#unusable.set(path, result.unusable?.map(u => u.name) ?? [])
    if (memory || this.#entries.has(path)) this.#entries.set(path, { kind: 'listing', listing })
    this.#o.onChange?.({ kind: 'listed', path })
    return listing
  }

  /** The stored listing of path, now in the memory LRU too. */
  #loadStored(path: string): FolderListing | undefined {
    const listing = this.#stored?.get(path)
    if (!listing) return undefined
    this.#entries.set(path, { kind: 'listing', listing })
    if (!this.#duplicates.has(path)) this.#duplicates.note(path, listing.duplicateNames, false)
    return listing
  }

  /** The entry at a path (not the root), null when it does not exist. */
  async lookup(path: string): Promise<RemoteEntry | null> {
    const cached = this.#entries.peek(path)
    if (cached?.kind === 'missing' && this.#fresh(cached.atMs, this.#o.negativeTtlMs)) {
      this.#hits++
      return null
    }
    const parent = parentOf(path)
    const parentKind = this.knownKind(parent)
    if (parentKind === 'file') throw new FsError('ENOTDIR', `${parent} is a file`)
    if (parentKind === 'missing') {
      this.#hits++
      return null
    }
    let answer: { listing: FolderListing; overtaken: boolean }
    try {
      answer = await listUntilCurrent(() => this.#listOnce(parent))
    } catch (err) {
      if (err instanceof FsError && err.code === 'ENOENT') return null
      throw err
    }
    const entry = answer.listing.byName.get(baseName(path)) ?? null
    // An overtaken answer is no proof that the name is missing.
    if (!entry && !answer.overtaken) this.#entries.set(path, { kind: 'missing', atMs: this.#o.clock.now() })
    return entry
  }

  /** What the cache alone says about a path, at any age, without a request. */
  knownKind(path: string): KnownKind {
    if (path === '/') return 'dir'
    const own = this.#entries.peek(path)
    if (own?.kind === 'listing') return 'dir'
    if (own?.kind === 'missing' && this.#fresh(own.atMs, this.#o.negativeTtlMs)) return 'missing'
    const parent = this.#entries.peek(parentOf(path))
    if (parent?.kind !== 'listing') return 'unknown'
    const entry = parent.listing.byName.get(baseName(path))
    if (!entry) return this.#fresh(parent.listing.fetchedAtMs, this.#o.ttlMs) ? 'missing' : 'unknown'
    return entry.isDir ? 'dir' : 'file'
  }

  /** A folder's cached listing at any age, without a request; with
   *  stored, the store is asked when memory has none. */
  peekListing(path: string, options: { stored?: boolean } = {}): FolderListing | undefined {
    const value = this.#entries.peek(path)
    if (value?.kind === 'listing') return value.listing
    return options.stored && !value ? this.#loadStored(path) : undefined
  }

  /** Drop what is cached for path and everything below it, and the parent's
   *  listing (which holds path's own attributes); no path: drop everything.
   *  Their stored listings are marked stale: shown while the bridge is down,
   *  listed again before they are shown otherwise. */
  invalidate(path?: string): void {
    this.#stored?.markStale(path === undefined || path === '/' ? '/' : path, { below: true })
    if (path !== undefined && path !== '/') this.#stored?.markStale(parentOf(path))
    this.#requests.supersede(key => path === undefined || path === '/' || isSameOrBelow(key, path) || key === parentOf(path))
    if (path === undefined || path === '/') {
      this.#entries.clear()
      return
    }
    for (const key of [...this.#entries.keys()]) {
      if (isSameOrBelow(key, path)) this.#entries.delete(key)
    }
    this.#entries.delete(parentOf(path))
    this.#o.onChange?.({ kind: 'changed', path })
  }

  /** A change this mount made on the server itself, applied to what is
   *  cached instead of dropping the folder's listing: dropping it made the
   *  next lookup list the whole folder again, so copying 1,000 files into
   *  one folder listed it about 1,000 times. entry null: path is gone.
   *  What was cached at and below path is dropped (a folder that moved or
   *  went takes its content with it). A listing of the folder already in
   *  flight gets the change applied to its answer (listing-requests.ts):
   *  superseding it instead made an `ls` during a copy ask again for every
   *  upload that ended, and after a few tries take an answer without them. */
  applyChange(path: string, entry: RemoteEntry | null, options: { emptyFolder?: boolean } = {}): void {
    const parent = parentOf(path)
    this.#requests.noteChange(parent, baseName(path), entry)
    this.#requests.supersede(key => isSameOrBelow(key, path))
    // Only a folder has anything cached below it: for a file (the common
    // case, an upload) this stays O(1) however many names are cached.
    this.#entries.delete(path)
    if (this.#mayHaveBelow(path, entry)) {
      for (const key of [...this.#entries.keys()]) {
        if (isSameOrBelow(key, path)) this.#entries.delete(key)
      }
      this.#stored?.deleteTree(path)
    }
    const cached = this.#entries.peek(parent)
    if (cached?.kind === 'listing') {
      const listing = cached.listing
      applyEntry(listing, baseName(path), entry)
      // Set again: the cache's size of a listing follows its entries.
      this.#entries.set(parent, cached)
      this.#stored?.changedLocally(listing)
    } else {
      this.#stored?.markStale(parent)
    }
    if (entry?.isDir && options.emptyFolder) {
      // Just made by this mount: nothing is in it, no need to ask.
      const listing = buildListing(path, { ...entry, name: baseName(path) }, [], [], this.#o.clock.now())
      this.#entries.set(path, { kind: 'listing', listing })
      this.#stored?.changedLocally(listing)
    }
    this.#o.onChange?.({ kind: 'changed', path })
  }

  /** Whether listings below path may be cached: it is, or was, a folder. */
  #mayHaveBelow(path: string, entry: RemoteEntry | null): boolean {
    if (entry?.isDir) return true
    const parent = this.#entries.peek(parentOf(path))
    // A new file in a listed folder (each file a copy brings in) was no
    // folder here: scanning every cached path for it made a copy of n files
    // cost n^2.
    if (parent?.kind !== 'listing') return true
    const before = parent.listing.byName.get(baseName(path))
    return before === undefined ? entry === null : before.isDir
  }

  /** Drop what is cached at and below path, leaving its folder's listing
   *  (for folders whose own entry does not matter, such as the trash). */
  forget(path: string): void {
    this.#stored?.markStale(path, { below: true })
    this.#requests.supersede(key => isSameOrBelow(key, path))
    for (const key of [...this.#entries.keys()]) {
      if (isSameOrBelow(key, path)) this.#entries.delete(key)
    }
  }

  stats(): MetadataCacheStats {
    const unusable = this.#unusable.summary()
    return {
      cacheEntries: this.#entries.size,
      cacheHits: this.#hits,
      cacheMisses: this.#misses,
      ...this.#duplicates.stats(),
      unusableNames: unusable.count,
      unusablePaths: unusable.paths,
      storedTreeAtMs: this.#stored?.newestFetchMs ?? null,
    }
  }

  /** Writes the listings this mount changed to the store now (at close). */
  flushStored(): void {
    this.#stored?.flush()
  }

  /** Forget every listing, in memory and stored (`mountctl cache clear`). */
  clear(): void {
    this.invalidate()
    this.#stored?.clear()
    this.#duplicates.clear()
    this.#unusable.clear()
  }

  #isFresh(listing: FolderListing): boolean {
    return !listing.mustRevalidate && this.#fresh(listing.fetchedAtMs, this.#o.ttlMs)
  }

  /** A stored listing from an earlier mount, recent enough to be shown
   *  while it is listed again behind. */
  #servesAhead(listing: FolderListing): boolean {
    return !listing.mustRevalidate && listing.fetchedAtMs < this.#sessionStartMs && this.#o.clock.now() - listing.fetchedAtMs <= this.#storedMaxAgeMs
  }

  #fresh(atMs: number, ttlMs: number): boolean {
    return this.#o.clock.now() - atMs < ttlMs
  }
}
