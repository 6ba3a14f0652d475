// Listing prefetch: when the user lists a folder, its subfolders are listed
// ahead, a few at a time, into the metadata cache. `find`, `ls -R`, `du` and
// `cp -r` visit folders one after another, so without this every folder costs
// one full round trip to the bridge in turn; with it the next folders are
// already cached (or in flight: the user's listFolder joins that request) when
// the walk reaches them.
//
// How far ahead: only the children of a folder the user listed. A prefetched
// listing does not prefetch its own children; the user listing it does. So
// prefetch goes deeper exactly as fast as the user descends, and opening the
// root of a large account in a file manager costs one listing per visible
// folder (which a file manager that counts items per folder asks for anyway),
// never the whole tree. One step more once the user is walking (lists a
// folder whose parent it listed too): the children of the folder's next
// sibling, in listing order (find, du) and in name order (ls -R), whose
// listing is already cached, queued behind the folder's own children. The
// walk goes there next, and without it every move to a new sibling would
// start with a round trip for that sibling's first child.
//
// Order: the pending folders are a stack, a folder's children pushed so that
// its first child is on top. Walks are depth-first, so the folders of the
// user's newest listing are the ones needed next; the oldest pending entries
// fall off the bottom when more than foldersAhead are waiting.
//
// Bounds: at most `slots` prefetch requests in flight (shared with the
// small-file prefetch, see mega-fs.ts for how the slots leave room for the
// user's own requests), at most foldersAhead waiting, and no new request while
// the listings fetched ahead that the user has not listed yet hold
// entriesAhead entries (the cache's memory bound counts entries): prefetch
// that is not being used stops instead of pushing out what the user had. It
// stops while the bridge is down and, after a failed prefetch, for
// PAUSE_AFTER_ERROR_MS.

import type { Clock } from '../../clock.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Semaphore } from '../../remote/semaphore.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { FolderListing, MetadataCache } from '../cache/metadata-cache.js'
import { nameOrder } from './listing-order.js'
import { baseName, childPath, parentOf } from '../paths.js'

export const PAUSE_AFTER_ERROR_MS = 10_000
// Folders the user listed recently, to tell a walk from a single look.
const MAX_USER_LISTED = 256

export interface FolderPrefetchOptions {
  metadata: MetadataCache
  gate: BridgeGate
  /** Prefetch requests in flight at once, shared with small-file prefetch. */
  slots: Semaphore
  clock: Clock
  logger: Logger
  /** Folders waiting to be prefetched, at most; 0 turns listing prefetch off. */
  foldersAhead: number
  /** Entries (children + 1 per listing) of listings fetched ahead and not yet
   *  listed by the user, above which no prefetch starts. Default: unbounded. */
  entriesAhead?: number
}

export interface FolderPrefetchStats {
  /** Listings requested ahead of the user. */
  prefetched: number
  waiting: number
  running: number
}

export class FolderPrefetcher {
  readonly #o: FolderPrefetchOptions
  // Folder paths waiting for a slot; the next one to start is the last.
  #stack: string[] = []
  // Started and not finished (waiting for a slot or requesting).
  #running = 0
  #pausedUntilMs = 0
  #prefetched = 0
  readonly #userListed = new Set<string>()
  // Listings fetched ahead that the user has not listed yet -> their entries.
  readonly #unused = new Map<string, number>()

  constructor(options: FolderPrefetchOptions) {
    this.#o = { ...options }
  }

  /** The user listed `listing`: queue its subfolders that are not cached. */
  folderListed(listing: FolderListing): void {
    if (this.#o.foldersAhead <= 0 || !this.#active()) return
    this.#unused.delete(listing.path)
    const walking = listing.path !== '/' && this.#userListed.has(parentOf(listing.path))
    this.#userListed.delete(listing.path)
    this.#userListed.add(listing.path)
    if (this.#userListed.size > MAX_USER_LISTED) this.#userListed.delete(this.#userListed.values().next().value!)
    // In the order they should start: own children first.
    const wanted = this.#foldersToList(listing, this.#o.foldersAhead)
    if (walking) {
      for (const sibling of this.#nextSiblings(listing.path)) {
        wanted.push(...this.#foldersToList(sibling, this.#o.foldersAhead - wanted.length))
      }
    }
    if (wanted.length === 0) {
      this.#pump() // the user may have used up what was ahead
      return
    }
    const queued = new Set(wanted)
    this.#stack = this.#stack.filter(p => !queued.has(p))
    for (let i = wanted.length - 1; i >= 0; i--) this.#stack.push(wanted[i]!)
    if (this.#stack.length > this.#o.foldersAhead) this.#stack.splice(0, this.#stack.length - this.#o.foldersAhead)
    this.#pump()
  }

  #foldersToList(listing: FolderListing, max: number): string[] {
    const found: string[] = []
    for (const name of listing.names) {
      if (found.length >= max) break
      if (!listing.byName.get(name)?.isDir) continue
      const path = childPath(listing.path, name)
      if (this.#o.metadata.needsListing(path)) found.push(path)
    }
    return found
  }

  // Cached listings of the folder after `path` among its parent's
  // subfolders, in listing order and in name order.
  #nextSiblings(path: string): FolderListing[] {
    const parent = this.#o.metadata.peekListing(parentOf(path))
    if (!parent) return []
    const found = new Map<string, FolderListing>()
    for (const kind of ['listing', 'codepoint'] as const) {
      const order = nameOrder(parent, kind)
      for (let i = (order.index.get(baseName(path)) ?? Infinity) + 1; i < order.names.length; i++) {
        const entry = parent.byName.get(order.names[i]!)
        if (!entry?.isDir) continue
        const sibling = this.#o.metadata.peekListing(childPath(parent.path, entry.name))
        if (sibling) found.set(sibling.path, sibling)
        break
      }
    }
    return [...found.values()]
  }

  /** Forget what is waiting (the bridge went down, or a refresh). */
  clear(): void {
    this.#stack = []
  }

  stats(): FolderPrefetchStats {
    return { prefetched: this.#prefetched, waiting: this.#stack.length, running: this.#running }
  }

  #active(): boolean {
    if (!this.#o.gate.available) {
      this.#stack = []
      return false
    }
    return this.#o.clock.now() >= this.#pausedUntilMs
  }

  #pump(): void {
    while (this.#stack.length > 0 && this.#running < this.#o.slots.max && this.#active() && this.#roomAhead()) {
      const path = this.#stack.pop()!
      this.#running++
      void this.#prefetch(path).finally(() => {
        this.#running--
        this.#pump()
      })
    }
  }

  #roomAhead(): boolean {
    const limit = this.#o.entriesAhead ?? Infinity
    let total = 0
    for (const [path, entries] of this.#unused) {
      // Evicted or expired: no longer held, or refetched when needed anyway.
      if (this.#o.metadata.needsListing(path)) this.#unused.delete(path)
      else total += entries
    }
    return total < limit
  }

  async #prefetch(path: string): Promise<void> {
    const { metadata, gate, slots, logger } = this.#o
    let release: (() => void) | undefined
    try {
      release = await slots.acquire(gate.signal)
      // The user may have listed it meanwhile, or the bridge gone down.
      if (!this.#active() || !metadata.needsListing(path)) return
      // Counted from the start: a user listing that joins the request
      // (folderListed) takes it off again, before or after it completes.
      this.#unused.set(path, 1)
      if (await metadata.listAhead(path)) {
        this.#prefetched++
        const listing = metadata.peekListing(path)
        if (listing && this.#unused.has(path)) this.#unused.set(path, 1 + listing.names.length)
      } else {
        this.#unused.delete(path)
      }
    } catch (err) {
      // Deleted since its parent was listed: nothing wrong with the bridge.
      if (err instanceof FsError && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return
      if (gate.available) {
        this.#pausedUntilMs = this.#o.clock.now() + PAUSE_AFTER_ERROR_MS
        logger.debug({ err, path }, 'folder prefetch failed: pausing prefetch')
      }
      this.#stack = []
    } finally {
      release?.()
    }
  }
}
