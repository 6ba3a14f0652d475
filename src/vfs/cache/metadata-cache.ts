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

import { LRUCache } from 'lru-cache'
import type { Clock } from '../../clock.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { RemoteError, type Listing, type Remote, type RemoteEntry } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { FsChangeListener } from '../types.js'
import { baseName, childPath, isSameOrBelow, parentOf } from '../paths.js'
import { NamesByFolder } from './names-by-folder.js'
import { toFsError } from '../remote-errors.js'

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
}

type CacheValue = { kind: 'listing'; listing: FolderListing } | { kind: 'missing'; atMs: number }

export interface MetadataCacheOptions {
  remote: Remote
  gate: BridgeGate
  clock: Clock
  logger: Logger
  /** Listings are trusted this long. */
  ttlMs: number
  /** "No such name" answers are trusted this long. */
  negativeTtlMs: number
  /** Bound on listings + negative entries together. */
  maxEntries: number
  /** Told of each listing fetched and each path invalidated, so caches in
   *  front of this one (the kernel's) can follow. */
  onChange?: FsChangeListener
}

export interface MetadataCacheStats {
  cacheEntries: number
  cacheHits: number
  cacheMisses: number
  duplicateNames: number
  duplicatePaths: string[]
  /** Entries left out of the latest listing of each folder seen because they
   *  cannot be files here (entry-checks.ts). */
  unusableNames: number
  /** Up to 20, printable. */
  unusablePaths: string[]
}

interface Fetch {
  promise: Promise<FolderListing>
  superseded: boolean
}

export type KnownKind = 'dir' | 'file' | 'missing' | 'unknown'

/** Requests for one listFolder whose answers were overtaken by changes. */
const OVERTAKEN_RETRIES = 4

export class MetadataCache {
  readonly #o: MetadataCacheOptions
  // Keyed by normalized path: a folder's listing, or the fact that the path
  // does not exist. Never both: storing one replaces the other.
  readonly #entries: LRUCache<string, CacheValue>
  // One request per folder. A request that an invalidation overtook is
  // superseded: its answer may predate the change (a file just uploaded, a
  // rename), so it is neither cached nor joined by later callers.
  readonly #inflight = new Map<string, Fetch>()
  /** Names listed more than once, and names left out (unusable), by folder. */
  readonly #duplicates = new NamesByFolder()
  readonly #unusable = new NamesByFolder()
  #hits = 0
  #misses = 0

  constructor(options: MetadataCacheOptions) {
    this.#o = { ...options }
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
    // #list's first round inline: a caller joining a request resumes as soon
    // as the request's own continuations (prefetch's order depends on it).
    const answer = this.#listOnce(path)
    if (!('promise' in answer)) return answer
    const listing = await answer.promise
    return answer.superseded ? (await this.#list(path, 2)).listing : listing
  }

  /** listFolder, and whether the answer was overtaken by a change even after
   *  asking again (then it may not show that change). An answer overtaken by
   *  an invalidation (an upload that finished, a rename) may predate it:
   *  handed to its callers, an `ls` that started just before the upload's
   *  end would miss the file, whose staged copy is gone by then. So its
   *  callers ask again, like callers that come after the change. */
  async #list(path: string, firstAttempt = 1): Promise<{ listing: FolderListing; overtaken: boolean }> {
    for (let attempt = firstAttempt; ; attempt++) {
      const answer = this.#listOnce(path)
      if (!('promise' in answer)) return { listing: answer, overtaken: false }
      const listing = await answer.promise
      // Bounded, so a folder that keeps changing still gets an answer.
      if (!answer.superseded || attempt >= OVERTAKEN_RETRIES) return { listing, overtaken: answer.superseded }
    }
  }

  #listOnce(path: string): FolderListing | Fetch {
    const cached = this.#entries.get(path)
    if (cached?.kind === 'missing' && this.#fresh(cached.atMs, this.#o.negativeTtlMs)) {
      this.#hits++
      throw new FsError('ENOENT', `${path}: no such folder`)
    }
    const listing = cached?.kind === 'listing' ? cached.listing : undefined
    if (listing && this.#fresh(listing.fetchedAtMs, this.#o.ttlMs)) {
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
    const running = this.#inflight.get(path)
    if (running) {
      this.#hits++
      return running
    }
    this.#misses++
    return this.#begin(path, listing)
  }

  #begin(path: string, stale: FolderListing | undefined): Fetch {
    const fetch: Fetch = { promise: Promise.resolve(null as never), superseded: false }
    fetch.promise = this.#fetch(path, stale, fetch).finally(() => {
      if (this.#inflight.get(path) === fetch) this.#inflight.delete(path)
    })
    this.#inflight.set(path, fetch)
    return fetch
  }

  /** Whether listing a folder now would send a request: nothing fresh is
   *  cached for it (listing or "missing") and no request is in flight. */
  needsListing(path: string): boolean {
    if (this.#inflight.has(path)) return false
    const cached = this.#entries.peek(path)
    if (cached?.kind === 'missing') return !this.#fresh(cached.atMs, this.#o.negativeTtlMs)
    if (cached?.kind === 'listing') return !this.#fresh(cached.listing.fetchedAtMs, this.#o.ttlMs)
    return true
  }

  /** For prefetch (folder-prefetch.ts): list a folder ahead of the user when
   *  that needs a request, through the same in-flight map so a user's
   *  listFolder of it waits for this request instead of sending its own.
   *  Counts as neither hit nor miss. Resolves false when nothing was sent. */
  async listAhead(path: string): Promise<boolean> {
    if (!this.needsListing(path)) return false
    this.#o.gate.check(`list ${path}`)
    await this.#begin(path, this.peekListing(path)).promise
    return true
  }

  async #fetch(path: string, stale: FolderListing | undefined, fetch: Fetch): Promise<FolderListing> {
    const what = `list ${path}`
    try {
      const result = await this.#o.remote.list(path, { signal: this.#o.gate.signal })
      if (!result.self.isDir) throw new FsError('ENOTDIR', `${path} is a file`)
      return this.#store(path, result, !fetch.superseded)
    } catch (err) {
      const down = this.#o.gate.downError(what)
      if (stale && (down || (err instanceof RemoteError && err.transient))) {
        this.#o.logger.warn({ err, path }, 'refresh failed, serving the listing seen last')
        return stale
      }
      if (down) throw down
      if (err instanceof RemoteError && err.kind === 'not-found' && !fetch.superseded) {
        this.#entries.set(path, { kind: 'missing', atMs: this.#o.clock.now() })
      }
      throw toFsError(err, { what, logger: this.#o.logger })
    }
  }

  /** The listing of an answer; kept in the cache unless `keep` is false
   *  (a superseded request's answer is only handed to its own callers). */
  #store(path: string, result: Listing, keep: boolean): FolderListing {
    const { self, entries, duplicateNames } = result
    const byName = new Map<string, RemoteEntry>()
    let newest: number | null = null
    for (const entry of entries) {
      byName.set(entry.name, entry)
      if (entry.mtimeMs !== null && (newest === null || entry.mtimeMs > newest)) newest = entry.mtimeMs
      // A name that now exists must not stay "missing".
      const child = childPath(path, entry.name)
      if (keep && this.#entries.peek(child)?.kind === 'missing') this.#entries.delete(child)
    }
    const listing: FolderListing = {
      path,
      self,
      byName,
      names: [...byName.keys()],
      duplicateNames,
      fetchedAtMs: this.#o.clock.now(),
      newestChildMs: newest,
    }
    if (!keep) return listing
    this.#duplicates.set(path, duplicateNames)
    this.#unusable.set(path, result.unusable?.map(u => u.name) ?? [])
    if (duplicateNames.length > 0) {
      this.#o.logger.warn(
        { path, duplicateNames },
        'MEGA holds several entries with the same name here; only one of each is reachable through the bridge, rename the others in MEGA to see them',
      )
    }
    this.#entries.set(path, { kind: 'listing', listing })
    this.#o.onChange?.({ kind: 'listed', path })
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
      answer = await this.#list(parent)
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

  /** A folder's cached listing at any age, without a request. */
  peekListing(path: string): FolderListing | undefined {
    const value = this.#entries.peek(path)
    return value?.kind === 'listing' ? value.listing : undefined
  }

  /** Drop what is cached for path and everything below it, and the parent's
   *  listing (which holds path's own attributes); no path: drop everything. */
  invalidate(path?: string): void {
    for (const [key, fetch] of this.#inflight) {
      if (path === undefined || path === '/' || isSameOrBelow(key, path) || key === parentOf(path)) {
        fetch.superseded = true
        this.#inflight.delete(key)
      }
    }
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
   *  went takes its content with it), and a listing of the folder already
   *  in flight is superseded: its answer may predate the change. */
  applyChange(path: string, entry: RemoteEntry | null, options: { emptyFolder?: boolean } = {}): void {
    const parent = parentOf(path)
    for (const [key, fetch] of this.#inflight) {
      if (key === parent || isSameOrBelow(key, path)) {
        fetch.superseded = true
        this.#inflight.delete(key)
      }
    }
    // Only a folder has anything cached below it: for a file (the common
    // case, an upload) this stays O(1) however many names are cached.
    this.#entries.delete(path)
    if (this.#mayHaveBelow(path, entry)) {
      for (const key of [...this.#entries.keys()]) {
        if (isSameOrBelow(key, path)) this.#entries.delete(key)
      }
    }
    const cached = this.#entries.peek(parent)
    if (cached?.kind === 'listing') {
      const listing = cached.listing
      const name = baseName(path)
      if (entry) {
        if (!listing.byName.has(name)) listing.names.push(name)
        listing.byName.set(name, { ...entry, name })
        if (entry.mtimeMs !== null && (listing.newestChildMs === null || entry.mtimeMs > listing.newestChildMs)) listing.newestChildMs = entry.mtimeMs
      } else if (listing.byName.delete(name)) {
        listing.names = listing.names.filter(n => n !== name)
      }
      // Set again: the cache's size of a listing follows its entries.
      this.#entries.set(parent, cached)
    }
    if (entry?.isDir && options.emptyFolder) {
      // Just made by this mount: nothing is in it, no need to ask.
      this.#entries.set(path, { kind: 'listing', listing: { path, self: { ...entry, name: baseName(path) }, byName: new Map(), names: [], duplicateNames: [], fetchedAtMs: this.#o.clock.now(), newestChildMs: null } })
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
    for (const [key, fetch] of this.#inflight) {
      if (isSameOrBelow(key, path)) {
        fetch.superseded = true
        this.#inflight.delete(key)
      }
    }
    for (const key of [...this.#entries.keys()]) {
      if (isSameOrBelow(key, path)) this.#entries.delete(key)
    }
  }

  stats(): MetadataCacheStats {
    const duplicates = this.#duplicates.summary()
    const unusable = this.#unusable.summary()
    return {
      cacheEntries: this.#entries.size,
      cacheHits: this.#hits,
      cacheMisses: this.#misses,
      duplicateNames: duplicates.count,
      duplicatePaths: duplicates.paths,
      unusableNames: unusable.count,
      unusablePaths: unusable.paths,
    }
  }

  #fresh(atMs: number, ttlMs: number): boolean {
    return this.#o.clock.now() - atMs < ttlMs
  }
}
