// Small-file prefetch: when a program reads the small files of a folder one
// after another (`cat *`, `cp -r`, a thumbnailer, a backup tool), the next
// ones are fetched whole into the chunk cache while it works on the current
// one, so a batch of files costs about one round trip instead of one each.
//
// Only once a pattern shows: the first small file read in a folder fetches
// nothing more (one open, one request); a second one that comes after it in
// one of the folder's name orders (listing-order.ts), at most filesAhead
// positions later, starts the prefetch in that order, and every later read
// that keeps to it tops the window up again. A read out of order stops it.
//
// Bounds: at most filesAhead files and bytesAhead bytes ahead of the reader
// (counting those already cached), at most filesAhead requests started and not
// finished over the whole mount, and each request holds one of the prefetch
// slots shared with listing prefetch. Content lands in the ordinary chunk
// cache, so its byte bound applies and invalidation drops it like any other;
// a request that started before an invalidation is not stored.

import type { Logger } from '../../log.js'
import type { Remote, RemoteEntry } from '../../remote/remote.js'
import type { Semaphore } from '../../remote/semaphore.js'
import type { BridgeGate } from '../bridge-gate.js'
import { fileVersionKey, type ChunkCache, type Segment } from '../cache/chunk-cache.js'
import type { FolderListing, MetadataCache } from '../cache/metadata-cache.js'
import { NAME_ORDER_KINDS, nameOrder, type NameOrder, type NameOrderKind } from './listing-order.js'
import { baseName, childPath, isSameOrBelow, parentOf } from '../paths.js'
import { SMALL_FILE_MAX_BYTES } from '../read/read-handle.js'
import { toFsError } from '../remote-errors.js'
import { readExactly } from '../read/exact-read.js'

export interface SmallFilePrefetchOptions {
  metadata: MetadataCache
  chunks: ChunkCache
  remote: Remote
  gate: BridgeGate
  /** Prefetch requests in flight at once, shared with listing prefetch. */
  slots: Semaphore
  logger: Logger
  /** Files fetched ahead of the reader, at most; 0 turns this prefetch off. */
  filesAhead: number
  /** Bytes fetched ahead of the reader, at most. */
  bytesAhead: number
}

export interface SmallFilePrefetchStats {
  /** Files requested ahead of the reader. */
  prefetched: number
  pending: number
}

interface FolderState {
  lastName: string
  order: NameOrderKind | null
}

// Folders whose reading pattern is remembered; the least recent go first.
const MAX_FOLDERS = 64
// How far past the reader the window looks for small files, in entries per
// file wanted: folders and large files in between are skipped.
const SCAN_ENTRIES_PER_FILE = 4

export class SmallFilePrefetcher {
  readonly #o: SmallFilePrefetchOptions
  readonly #folders = new Map<string, FolderState>()
  // File version keys requested ahead and not finished.
  readonly #pending = new Set<string>()
  // Bumped by invalidation: a request queued before it is not sent.
  #generation = 0
  #prefetched = 0

  constructor(options: SmallFilePrefetchOptions) {
    this.#o = { ...options }
  }

  /** The first read of a small file through a handle (hit or not). */
  fileRead(path: string): void {
    if (this.#o.filesAhead <= 0 || !this.#o.gate.available) return
    const folder = parentOf(path)
    const name = baseName(path)
    const listing = this.#o.metadata.peekListing(folder)
    if (!listing?.byName.has(name)) return
    const state = this.#folders.get(folder)
    this.#folders.delete(folder) // re-inserted last: most recent
    if (!state) {
      this.#folders.set(folder, { lastName: name, order: null })
      if (this.#folders.size > MAX_FOLDERS) this.#folders.delete(this.#folders.keys().next().value!)
      return
    }
    if (state.lastName !== name) state.order = this.#orderFollowed(listing, state, name)
    state.lastName = name
    this.#folders.set(folder, state)
    if (state.order) this.#fetchAhead(listing, nameOrder(listing, state.order), name)
  }

  /** Forget reading patterns at and below path (all when omitted); content
   *  requested before this is not stored. */
  invalidate(path?: string): void {
    this.#generation++
    for (const folder of [...this.#folders.keys()]) {
      if (path === undefined || isSameOrBelow(folder, path)) this.#folders.delete(folder)
    }
  }

  stats(): SmallFilePrefetchStats {
    return { prefetched: this.#prefetched, pending: this.#pending.size }
  }

  // The order in which name comes closest after the previous file read (the
  // one followed so far, then listing order, on a tie), within filesAhead + 1
  // positions; null when none.
  #orderFollowed(listing: FolderListing, state: FolderState, name: string): NameOrderKind | null {
    const kinds = state.order ? [state.order, ...NAME_ORDER_KINDS.filter(k => k !== state.order)] : NAME_ORDER_KINDS
    let best: NameOrderKind | null = null
    let bestGap = this.#o.filesAhead + 2
    for (const kind of kinds) {
      const { index } = nameOrder(listing, kind)
      const gap = index.get(name)! - index.get(state.lastName)!
      if (gap > 0 && gap < bestGap) {
        best = kind
        bestGap = gap
      }
    }
    return best
  }

  #fetchAhead(listing: FolderListing, order: NameOrder, name: string): void {
    const { filesAhead, bytesAhead, chunks } = this.#o
    const from = order.index.get(name)! + 1
    const to = Math.min(order.names.length, from + filesAhead * SCAN_ENTRIES_PER_FILE)
    let files = 0
    let bytes = 0
    for (let i = from; i < to && files < filesAhead; i++) {
      const entry = listing.byName.get(order.names[i]!)!
      if (entry.isDir || entry.size === 0 || entry.size > SMALL_FILE_MAX_BYTES) continue
      if (bytes + entry.size > bytesAhead) break
      files++
      bytes += entry.size
      const path = childPath(listing.path, entry.name)
      const key = fileVersionKey(path, entry)
      if (this.#pending.has(key) || chunks.holdsWhole(key, entry.size)) continue
      // Over the mount's byte budget with downloads already in flight.
      if (this.#pending.size >= filesAhead || !chunks.roomForPrefetch(entry.size)) break
      this.#pending.add(key)
      void this.#fetch(path, entry, key).finally(() => this.#pending.delete(key))
    }
  }

  async #fetch(path: string, entry: RemoteEntry, key: string): Promise<void> {
    const { remote, gate, slots, chunks, logger } = this.#o
    const generation = this.#generation
    let release: (() => void) | undefined
    try {
      release = await slots.acquire(gate.signal)
    } catch {
      return // the bridge went down while waiting
    }
    try {
      // The reader got there first, the bridge went down, a refresh, or
      // downloads started meanwhile fill the byte budget.
      if (chunks.holdsWhole(key, entry.size) || !gate.available || generation !== this.#generation) return
      if (!chunks.roomForPrefetch(entry.size)) return
      const what = `read ${path} (prefetch)`
      const data = readExactly(remote, path, 0, entry.size, entry.size, { signal: gate.signal, logger }).catch((err: unknown) => {
        throw gate.downError(what) ?? toFsError(err, { what, logger })
      })
      const segment: Segment = { offset: 0, length: entry.size, data }
      chunks.add(key, segment)
      this.#prefetched++
      try {
        await data
      } catch (err) {
        // A failure is not cached (a reader asks again); stop guessing here
        // until a new pattern shows.
        this.#folders.delete(parentOf(path))
        logger.debug({ err, path }, 'small-file prefetch failed')
      }
    } finally {
      release()
    }
  }
}
