// A mount's persistent store: its database (store-database.ts) with the
// stored listings (listing-store.ts) and the disk cache's index
// (content-index.ts), in the mount's state folder next to the cache files:
//
//   <state>/mounts/<name>/store.db   (+ store.db-wal, store.db-shm)
//   <state>/mounts/<name>/cache/<id> one sparse file per cached file version
//
// The store remembers which folder it describes (the profile's megaPath or
// url): pointed at another folder, it starts empty instead of showing the
// old folder's tree. A mount without a store (tests, or a state folder that
// cannot hold a database) gets an in-memory index and no stored listings,
// which is how every mount behaved before the store existed.

import path from 'node:path'
import type { Logger } from '../../log.js'
import { ContentIndex, type ContentIndexStats } from './content-index.js'
import { ListingStore, type ListingStoreStats } from './listing-store.js'
import { openMemoryDatabase, openStoreDatabase, type StoreDb } from './store-database.js'
import { StoreGuard } from './store-guard.js'

export const STORE_FILE = 'store.db'
export const CACHE_FOLDER = 'cache'

export interface MountStoreStats extends ListingStoreStats, ContentIndexStats {
  persistent: boolean
  /** The database file (null: kept in memory) and the cache files' folder. */
  file: string | null
  cacheFolder: string
  /** What is wrong with the store, or null. */
  warning: string | null
  /** Bytes of the database files. */
  databaseBytes: number
}

export class MountStore {
  readonly listings: ListingStore | null
  readonly content: ContentIndex
  /** The database file, or null for a store in memory. */
  readonly file: string | null
  /** Folder of the cache files. */
  readonly cacheFolder: string
  readonly #db: StoreDb
  readonly #guard: StoreGuard
  /** Why the store was rebuilt or is not kept on disk, for status. */
  readonly #startWarning: string | null
  #closed = false

  private constructor(args: { db: StoreDb; file: string | null; cacheFolder: string; guard: StoreGuard; warning: string | null; keepListings: boolean }) {
    this.#db = args.db
    this.#guard = args.guard
    this.file = args.file
    this.cacheFolder = args.cacheFolder
    this.#startWarning = args.warning
    this.listings = args.keepListings ? new ListingStore(args.db, args.guard) : null
    this.content = new ContentIndex(args.db, args.guard)
  }

  /** The store of the mount whose state folder is `folder`, describing the
   *  served folder `source`. Never throws: a damaged store is rebuilt, and
   *  one that cannot be written at all becomes a store in memory. */
  static open(folder: string, source: string, logger: Logger): MountStore {
    const log = logger.child({ component: 'store' })
    const guard = new StoreGuard(log)
    const file = path.join(folder, STORE_FILE)
    const cacheFolder = path.join(folder, CACHE_FOLDER)
    let opened
    try {
      opened = openStoreDatabase(file, log)
    } catch (err) {
      log.warn({ err, file }, 'cannot keep a store in the state folder: the tree and file content are kept in memory only')
      return MountStore.inMemory(cacheFolder, logger, `no store on disk: ${(err as Error).message}`)
    }
    const warning = opened.rebuiltBecause && `the store was damaged and rebuilt empty (${opened.rebuiltBecause})`
    const store = new MountStore({ db: opened.db, file, cacheFolder, guard, warning, keepListings: true })
    store.#adopt(source, log)
    return store
  }

  /** A store that lives as long as the process: nothing survives a restart. */
  static inMemory(cacheFolder: string, logger: Logger, warning: string | null = null): MountStore {
    const guard = new StoreGuard(logger.child({ component: 'store' }))
    return new MountStore({ db: openMemoryDatabase(), file: null, cacheFolder, guard, warning, keepListings: false })
  }

  get persistent(): boolean {
    return this.file !== null
  }

  /** What status should say about the store: rebuilt at start, failed
   *  since, or not on disk; null when all is well. */
  get warning(): string | null {
    return this.#guard.failure ?? this.#startWarning
  }

  #adopt(source: string, logger: Logger): void {
    this.#guard.run(
      'reading the store',
      () => {
        const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'source'").pluck().get() as string | undefined
        if (row !== undefined && row !== source) {
          logger.info({ was: row, now: source }, 'the mount now serves another folder: its stored tree and cache are dropped')
          this.#db.exec('DELETE FROM listings; DELETE FROM blocks; DELETE FROM files;')
        }
        this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('source', ?)").run(source)
      },
      undefined,
    )
  }

  /** The bridge URL that served this mount last, so a mount can start
   *  from its stored tree before MEGAcmd can be asked for it. */
  get url(): string | null {
    return this.#guard.run('reading the store', () => (this.#db.prepare("SELECT value FROM meta WHERE key = 'url'").pluck().get() as string | undefined) ?? null, null)
  }

  set url(url: string | null) {
    if (url === null || url === this.url) return
    this.#guard.run('writing the store', () => this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('url', ?)").run(url), undefined)
  }

  /** When the newest stored listing was fetched: a tree to show at start;
   *  null when none is stored. */
  get treeAtMs(): number | null {
    return this.listings?.newestFetchMs ?? null
  }

  /** Empties the store of a mount that is not mounted; its cache files are
   *  removed at the next mount (the index no longer knows them). */
  clear(): void {
    this.#guard.run('clearing the store', () => this.#db.exec('DELETE FROM listings; DELETE FROM blocks; DELETE FROM files;'), undefined)
    this.listings?.clear()
  }

  /** Empties SQLite's page cache (the pages stay in the kernel's): when the
   *  daemon goes quiet (src/daemon/idle-reducer.ts). */
  releaseMemory(): void {
    if (this.#closed) return
    this.#guard.run('releasing the store\'s cache', () => this.#db.pragma('shrink_memory'), undefined)
  }

  stats(): MountStoreStats {
    const listings = this.listings?.stats() ?? { listings: 0, entries: 0, newestFetchMs: null }
    let databaseBytes = 0
    if (this.file) {
      databaseBytes = this.#guard.run(
        'reading the store size',
        () => {
          const pages = this.#db.pragma('page_count', { simple: true }) as number
          const pageSize = this.#db.pragma('page_size', { simple: true }) as number
          return pages * pageSize
        },
        0,
      )
    }
    return { ...listings, ...this.content.stats(), persistent: this.persistent, file: this.file, cacheFolder: this.cacheFolder, warning: this.warning, databaseBytes }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      this.#db.close()
    } catch {
      // Closing a database that failed is best effort; the next start checks it.
    }
  }
}
