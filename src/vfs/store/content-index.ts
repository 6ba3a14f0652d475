// The disk cache's index (disk-cache.ts) in the mount's database: which
// versions of which files have bytes on disk, which blocks of each, and the
// checksum of every block. A block is recorded only after its bytes were
// written, in the same transaction as the file's byte count, so a crash
// leaves the index describing bytes that are on disk (and the checksums
// catch a disk that lost or changed them anyway).
//
// Recency is a sequence number, not a time: the least recently used file is
// the one with the smallest last_use, across restarts.

import type { StoreDb } from './store-database.js'
import type { StoreGuard } from './store-guard.js'

export interface IndexedFile {
  id: number
  key: string
  path: string
  size: number
  bytes: number
  pinned: boolean
}

export interface ContentIndexStats {
  files: number
  bytes: number
  pinnedFiles: number
  pinnedBytes: number
}

interface FileRow {
  id: number
  key: string
  path: string
  size: number
  bytes: number
  pinned: number
}

const toFile = (row: FileRow): IndexedFile => ({ ...row, pinned: row.pinned === 1 })

export class ContentIndex {
  readonly #db: StoreDb
  readonly #guard: StoreGuard
  readonly #q
  #lastUse: number

  constructor(db: StoreDb, guard: StoreGuard) {
    this.#db = db
    this.#guard = guard
    const columns = 'id, key, path, size, bytes, pinned'
    this.#q = {
      byKey: db.prepare(`SELECT ${columns} FROM files WHERE key = ?`),
      blocks: db.prepare('SELECT block, crc FROM blocks WHERE file_id = ?').raw(),
      create: db.prepare('INSERT INTO files (key, path, size, last_use, pinned) VALUES (?, ?, ?, ?, ?) RETURNING id').pluck(),
      addBlock: db.prepare('INSERT OR REPLACE INTO blocks (file_id, block, crc) VALUES (?, ?, ?)'),
      addBytes: db.prepare('UPDATE files SET bytes = bytes + ?, last_use = ? WHERE id = ?'),
      removeBlock: db.prepare('DELETE FROM blocks WHERE file_id = ? AND block = ?'),
      touch: db.prepare('UPDATE files SET last_use = ? WHERE id = ?'),
      pin: db.prepare('UPDATE files SET pinned = ? WHERE id = ?'),
      removeBlocks: db.prepare('DELETE FROM blocks WHERE file_id = ?'),
      removeFile: db.prepare('DELETE FROM files WHERE id = ?'),
      versions: db.prepare(`SELECT ${columns} FROM files WHERE path = ?`),
      below: db.prepare(`SELECT ${columns} FROM files WHERE path = ? OR (path >= ? AND path < ?)`),
      pinned: db.prepare(`SELECT ${columns} FROM files WHERE pinned = 1`),
      victims: db.prepare(`SELECT ${columns} FROM files WHERE pinned = 0 ORDER BY last_use LIMIT ?`),
      all: db.prepare(`SELECT ${columns} FROM files`),
      ids: db.prepare('SELECT id FROM files').pluck(),
      lastUse: db.prepare('SELECT max(last_use) FROM files').pluck(),
      stats: db.prepare(
        'SELECT count(*) AS files, coalesce(sum(bytes), 0) AS bytes, coalesce(sum(pinned), 0) AS pinnedFiles, ' +
          'coalesce(sum(CASE WHEN pinned = 1 THEN bytes ELSE 0 END), 0) AS pinnedBytes FROM files',
      ),
    }
    this.#lastUse = guard.run('reading the cache index', () => (this.#q.lastUse.get() as number | null) ?? 0, 0)
  }

  /** The file version and the checksum of each of its blocks on disk. */
  find(key: string): { file: IndexedFile; blocks: Map<number, number> } | undefined {
    return this.#guard.run(
      'reading the cache index',
      () => {
        const row = this.#q.byKey.get(key) as FileRow | undefined
        if (!row) return undefined
        const blocks = new Map<number, number>()
        for (const [block, crc] of this.#q.blocks.all(row.id) as [number, number][]) blocks.set(block, crc)
        return { file: toFile(row), blocks }
      },
      undefined,
    )
  }

  /** A new file version with nothing on disk yet; null when the index is off. */
  create(key: string, path: string, size: number, pinned: boolean): number | null {
    return this.#guard.run('adding to the cache index', () => this.#q.create.get(key, path, size, ++this.#lastUse, pinned ? 1 : 0) as number, null)
  }

  /** Records blocks whose bytes are on disk now; false when the index is off. */
  addBlocks(id: number, blocks: [block: number, crc: number][], addedBytes: number): boolean {
    return this.#guard.run(
      'adding to the cache index',
      () => {
        this.#db.transaction(() => {
          for (const [block, crc] of blocks) this.#q.addBlock.run(id, block, crc)
          this.#q.addBytes.run(addedBytes, ++this.#lastUse, id)
        })()
        return true
      },
      false,
    )
  }

  removeBlock(id: number, block: number, blockBytes: number): void {
    this.#guard.run(
      'updating the cache index',
      () =>
        this.#db.transaction(() => {
          this.#q.removeBlock.run(id, block)
          this.#q.addBytes.run(-blockBytes, this.#lastUse, id)
        })(),
      undefined,
    )
  }

  touch(id: number): void {
    this.#guard.run('updating the cache index', () => this.#q.touch.run(++this.#lastUse, id), undefined)
  }

  setPinned(id: number, pinned: boolean): void {
    this.#guard.run('updating the cache index', () => this.#q.pin.run(pinned ? 1 : 0, id), undefined)
  }

  remove(id: number): void {
    this.#guard.run(
      'updating the cache index',
      () =>
        this.#db.transaction(() => {
          this.#q.removeBlocks.run(id)
          this.#q.removeFile.run(id)
        })(),
      undefined,
    )
  }

  /** Every version of path known to the index. */
  versionsOf(path: string): IndexedFile[] {
    return this.#list('reading the cache index', () => this.#q.versions.all(path) as FileRow[])
  }

  /** Every file version at path or below it. */
  below(path: string): IndexedFile[] {
    if (path === '/') return this.all()
    return this.#list('reading the cache index', () => this.#q.below.all(path, path + '/', path + '0') as FileRow[])
  }

  pinned(): IndexedFile[] {
    return this.#list('reading the cache index', () => this.#q.pinned.all() as FileRow[])
  }

  /** Unpinned file versions, least recently used first. */
  victims(limit: number): IndexedFile[] {
    return this.#list('reading the cache index', () => this.#q.victims.all(limit) as FileRow[])
  }

  all(): IndexedFile[] {
    return this.#list('reading the cache index', () => this.#q.all.all() as FileRow[])
  }

  ids(): Set<number> | null {
    return this.#guard.run('reading the cache index', () => new Set(this.#q.ids.all() as number[]), null)
  }

  stats(): ContentIndexStats {
    return this.#guard.run('reading the cache index', () => this.#q.stats.get() as ContentIndexStats, { files: 0, bytes: 0, pinnedFiles: 0, pinnedBytes: 0 })
  }

  #list(what: string, fn: () => FileRow[]): IndexedFile[] {
    return this.#guard.run(what, () => fn().map(toFile), [])
  }
}
