// The bytes of a file this mount just uploaded, kept in the disk cache
// (disk-cache.ts), so the file a user just saved stays readable with the
// bridge down, on this mount and after a restart. Without this, its staged
// copy went at the end of the upload and the next read needed the bridge.
//
// - The key is the version the mount shows for the file from then on: the
//   entry the upload recorded in the cached listing (stagedEntry, given to
//   metadata-cache.ts applyChange by write-staged.ts), which the stored tree
//   also holds after a restart. Once the folder is listed again, the server's
//   own time (and ETag, where it has them) replaces ours: that version's key
//   differs, so these bytes are never read for it, and it is fetched again.
//   A copy stops as soon as the mount no longer shows its version (the file
//   changed, moved, went or was listed again meanwhile), or a later upload
//   of the same path began its own (which may show the same size and time).
// - Copied from the staged data file, whose descriptor is held open past the
//   staged file's removal (StagedFile.hold): the bytes kept are the bytes
//   sent, and a program writing the path meanwhile gets a new staged file.
// - One file at a time, in pieces, behind the upload queue, which never
//   waits for it. Only what the disk cache takes (accepts(size); storeNow
//   writes, checksums and indexes the blocks as for downloaded bytes, and
//   evicts as usual). A failure is logged: the upload itself succeeded.

import type { Logger } from '../../log.js'
import type { RemoteEntry } from '../../remote/remote.js'
import { BLOCK_BYTES } from '../cache/block-ranges.js'
import { fileVersionKey } from '../cache/chunk-cache.js'
import type { DiskCache } from '../cache/disk-cache.js'
import type { MetadataCache } from '../cache/metadata-cache.js'
import { baseName, parentOf } from '../paths.js'
import type { StagedFile } from './staging.js'

/** Bytes read from the staged file and written to the cache at a time. */
const PIECE_BYTES = 32 * BLOCK_BYTES
/** Copies waiting their turn, each holding a descriptor; past this an
 *  upload's bytes are not kept (the server has them). */
const MAX_WAITING = 256

/** What the mount shows for a staged file, and for it once uploaded until
 *  the next listing brings the server's time and ETag: its size and time. */
export function stagedEntry(path: string, size: number, mtimeMs: number): RemoteEntry {
  return { name: baseName(path), isDir: false, size, mtimeMs, ctimeMs: mtimeMs, etag: null }
}

interface Copy {
  cancelled: boolean
}

export class UploadedCopies {
  readonly #disk: DiskCache
  readonly #metadata: MetadataCache
  readonly #log: Logger
  #tail: Promise<void> = Promise.resolve()
  #waiting = 0
  // The latest copy of each path; an earlier one still going is cancelled.
  readonly #latest = new Map<string, Copy>()

  constructor(disk: DiskCache, metadata: MetadataCache, logger: Logger) {
    this.#disk = disk
    this.#metadata = metadata
    this.#log = logger
  }

  /** file was uploaded to path just now, and is about to be removed: its
   *  bytes go to the disk cache behind. Call before the removal. */
  keep(file: StagedFile, path: string): void {
    const entry = stagedEntry(path, file.size, file.mtimeMs)
    if (!this.#disk.accepts(entry.size) || this.#waiting >= MAX_WAITING) return
    const copy: Copy = { cancelled: false }
    const earlier = this.#latest.get(path)
    if (earlier) earlier.cancelled = true
    this.#latest.set(path, copy)
    file.hold()
    this.#waiting++
    this.#tail = this.#tail
      .then(() => this.#copy(copy, file, path, entry))
      .catch(err => this.#log.warn({ err, path }, 'could not keep the uploaded file in the disk cache; it is read from the bridge'))
      .finally(() => {
        this.#waiting--
        if (this.#latest.get(path) === copy) this.#latest.delete(path)
        return file.letGo().catch(() => {})
      })
  }

  /** Resolves once every copy started so far has ended. */
  idle(): Promise<void> {
    return this.#tail
  }

  async #copy(copy: Copy, file: StagedFile, path: string, entry: RemoteEntry): Promise<void> {
    const key = fileVersionKey(path, entry)
    const piece = Buffer.allocUnsafe(Math.min(entry.size, PIECE_BYTES))
    for (let offset = 0; offset < entry.size; offset += piece.length) {
      const length = Math.min(piece.length, entry.size - offset)
      await file.read(piece, length, offset)
      if (copy.cancelled || !this.#shows(path, key)) return
      // Awaited before the piece is read over: the checksums are taken after the write.
      await this.#disk.storeNow(key, path, entry.size, offset, piece.subarray(0, length))
    }
  }

  /** Whether the mount's cached listing shows this version of path. */
  #shows(path: string, key: string): boolean {
    const entry = this.#metadata.peekListing(parentOf(path))?.byName.get(baseName(path))
    return entry !== undefined && !entry.isDir && fileVersionKey(path, entry) === key
  }
}
