// The embedded database behind a mount's persistent store (SQLite through
// better-sqlite3): folder listings (listing-store.ts) and the index of the
// disk cache (content-index.ts). One file per mount, in WAL mode, so every
// write is a transaction and a crash at any moment (kill -9, power loss)
// leaves either the state before or after it.
//
// A database that cannot be trusted at start (not a database, truncated,
// failing SQLite's quick_check, or of a schema this version does not know)
// is moved aside and rebuilt empty: the mount then lists the tree and
// downloads content again, and says so in its log and status. A damaged
// store never stops a mount.

import Database from 'better-sqlite3'
import { mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from '../../log.js'

export type StoreDb = Database.Database

/** Bumped when the tables change; an older or newer store is rebuilt. */
export const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS listings (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  parent TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  stale INTEGER NOT NULL DEFAULT 0,
  self_mtime INTEGER,
  self_ctime INTEGER,
  self_etag TEXT,
  duplicates TEXT,
  entry_count INTEGER NOT NULL,
  entries TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS listings_parent ON listings (parent);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  last_use INTEGER NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS files_path ON files (path);
CREATE INDEX IF NOT EXISTS files_lru ON files (pinned, last_use);
CREATE TABLE IF NOT EXISTS blocks (
  file_id INTEGER NOT NULL,
  block INTEGER NOT NULL,
  crc INTEGER NOT NULL,
  PRIMARY KEY (file_id, block)
) WITHOUT ROWID;
`

export interface OpenedStore {
  db: StoreDb
  /** Why the store found at start was thrown away, or null. */
  rebuiltBecause: string | null
}

/** Opens (or creates) the database file; a damaged one is moved to
 *  `<file>.damaged` and replaced by an empty one. Throws only when even an
 *  empty database cannot be created there (unwritable folder, full disk). */
export function openStoreDatabase(file: string, logger: Logger): OpenedStore {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  let reason: string | null = null
  try {
    const db = openChecked(file)
    if (db) return { db, rebuiltBecause: null }
    reason = `it was written by another version of megamount (schema other than ${SCHEMA_VERSION})`
  } catch (err) {
    reason = (err as Error).message
  }
  logger.warn({ file, reason }, 'the stored tree and cache index are damaged: rebuilding them empty (the tree is listed and files are downloaded again)')
  moveAside(file)
  return { db: openChecked(file, true)!, rebuiltBecause: reason }
}

/** An in-memory database with the same tables: a mount without a store. */
export function openMemoryDatabase(): StoreDb {
  const db = new Database(':memory:')
  db.exec(SCHEMA)
  return db
}

/** SQLite's page cache per store, in KiB. */
const PAGE_CACHE_KIB = 2048

function openChecked(file: string, fresh = false): StoreDb | null {
  const db = new Database(file)
  try {
    db.pragma('journal_mode = WAL')
    // With WAL, NORMAL is durable against a crash of the process; a power
    // loss may lose the latest transactions but never corrupts the file.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 2000')
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection:
    // after a 100,000-entry crawl it held 6.5 MiB of the daemon's resident
    // memory (the whole database). Pages it drops are still in the kernel's
    // page cache; idle-reducer.ts empties this one when the daemon goes quiet.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`)
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(`SQLite's quick_check says: ${String(check)}`)
    const version = db.pragma('user_version', { simple: true }) as number
    const empty = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n === 0
    if (!empty && version !== SCHEMA_VERSION && !fresh) {
      db.close()
      return null
    }
    db.exec(SCHEMA)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
    // Reading every table once finds damage quick_check can miss in a
    // truncated file (pages past the end).
    for (const table of ['meta', 'listings', 'files', 'blocks']) db.prepare(`SELECT count(*) FROM ${table}`).get()
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function moveAside(file: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true })
  try {
    renameSync(file, `${file}.damaged`)
  } catch {
    rmSync(file, { force: true })
  }
}
