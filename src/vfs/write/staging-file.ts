// One staged file: the local copy of a file's new content, kept on disk under
// <stateDir>/staging/<id>, never in memory. Open handles hold this object, not
// a path, so a rename of the path does not disturb them.
//
// `generation` counts modifications: the upload queue compares it before and
// after an upload to know whether what the server got is still the latest.

import type { Clock } from '../../clock.js'
import { FsError } from '../../errors.js'
import { checkFileEnd } from '../limits.js'
import type { DataFile } from './staging-data.js'
import { addRange, clipRanges, rangeBytes, removeRange, type Range } from './lost-ranges.js'
import type { UnfinishedInfo } from './unfinished.js'

export interface StagedFileInfo {
  id: string
  path: string
  size: number
  mtimeMs: number
  /** Modified since staged (a new file counts as modified). */
  dirty: boolean
}

export class StagedFile {
  readonly id: string
  readonly dataFile: string
  path: string
  size: number
  mtimeMs: number
  dirty: boolean
  generation = 0
  /** Set once the staged data was dropped (uploaded, discarded, unlinked). */
  removed = false
  /** Open handles using this file: its descriptor stays open while any do,
   *  even after removal (like an unlinked file on a local disk). */
  holders = 0
  /** The path held a file on the server when this was staged (or a rename
   *  put this over one): if the daemon dies while it is being written, the
   *  unfinished copy must not replace that file (unfinished.ts). */
  existedOnServer: boolean
  /** Recovered at start from a crash while it was being written. */
  unfinished: UnfinishedInfo | null
  /** Ranges a failed write should have changed (lost-ranges.ts): while any
   *  are left the content is incomplete and never uploaded. */
  lost: Range[]
  /** The journal's latest record of this file says 'dirty' (changed and not
   *  closed since): the upload queue clears it at the last close, and the
   *  next change records 'dirty' again before it happens. */
  openInJournal = false
  private handle: DataFile | null
  private readonly clock: Clock
  /** Called before the first modification of a clean file, and before the
   *  first one after each last close, so the journal knows about the data
   *  before it exists and that the file is open (StagingStore.markDirty). */
  private readonly beforeFirstChange: (file: StagedFile) => Promise<void>
  private becomingDirty: Promise<void> | null = null

  constructor(init: {
    id: string
    dataFile: string
    path: string
    size: number
    mtimeMs: number
    dirty: boolean
    handle: DataFile
    clock: Clock
    beforeFirstChange: (file: StagedFile) => Promise<void>
    existedOnServer: boolean
    unfinished?: UnfinishedInfo | null
    lost?: Range[]
  }) {
    this.id = init.id
    this.dataFile = init.dataFile
    this.path = init.path
    this.size = init.size
    this.mtimeMs = init.mtimeMs
    this.dirty = init.dirty
    this.handle = init.handle
    this.clock = init.clock
    this.beforeFirstChange = init.beforeFirstChange
    this.existedOnServer = init.existedOnServer
    this.unfinished = init.unfinished ?? null
    this.lost = init.lost ?? []
  }

  /** A write failed: the content is not what the program meant. */
  get incomplete(): boolean {
    return this.lost.length > 0
  }

  /** Bytes of the ranges failed writes should have changed. */
  get lostBytes(): number {
    return rangeBytes(this.lost)
  }

  info(): StagedFileInfo {
    return { id: this.id, path: this.path, size: this.size, mtimeMs: this.mtimeMs, dirty: this.dirty }
  }

  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    const handle = this.open()
    if (position >= this.size) return 0
    const want = Math.min(length, this.size - position)
    const { bytesRead } = await handle.read(buffer, 0, want, position)
    // Past the end of what is on disk but inside size (after a growing
    // truncate) the file reads as zeros.
    if (bytesRead < want) buffer.fill(0, bytesRead, want)
    return want
  }

  async write(buffer: Buffer, length: number, position: number): Promise<number> {
    // Refused before anything happens, so nothing goes missing either.
    checkFileEnd(position + length, `write ${this.path}`)
    const sizeBefore = this.size
    try {
      await this.changing()
      const handle = this.open()
      let written = 0
      while (written < length) {
        const { bytesWritten } = await handle.write(buffer, written, length - written, position + written)
        written += bytesWritten
      }
    } catch (err) {
      this.lost = addRange(this.lost, position, position + length)
      // Bytes of a partial write past the old end must not be uploaded.
      if (position + length > sizeBefore) await this.handle?.truncate(this.size).catch(() => {})
      throw stagingError(err, `write ${this.path}`)
    }
    this.lost = removeRange(this.lost, position, position + length)
    this.size = Math.max(this.size, position + length)
    this.touch()
    return length
  }

  async truncate(size: number): Promise<void> {
    if (!Number.isInteger(size) || size < 0) throw new FsError('EINVAL', `bad size ${size}`)
    checkFileEnd(size, `truncate ${this.path}`)
    try {
      await this.changing()
      await this.open().truncate(size)
    } catch (err) {
      if (size > this.size) this.lost = addRange(this.lost, this.size, size)
      throw stagingError(err, `truncate ${this.path}`)
    }
    this.lost = clipRanges(this.lost, size)
    this.size = size
    this.touch()
  }

  /** Data on stable storage (the journal entry already is, see changing()). */
  async fsync(): Promise<void> {
    try {
      await this.open().datasync()
    } catch (err) {
      throw stagingError(err, `fsync ${this.path}`)
    }
  }

  hold(): void {
    this.holders++
  }

  /** A handle is done with the file; closes it if it was removed meanwhile. */
  async letGo(): Promise<void> {
    this.holders = Math.max(0, this.holders - 1)
    if (this.removed && this.holders === 0) await this.close()
  }

  async close(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  private open(): DataFile {
    if (!this.handle) throw new FsError('EBADF', `staged data of ${this.path} is closed`)
    return this.handle
  }

  private async changing(): Promise<void> {
    if (this.removed || (this.dirty && this.openInJournal)) return
    // Concurrent writes wait for the one record.
    this.becomingDirty ??= this.beforeFirstChange(this)
      .then(() => {
        this.dirty = true
        this.openInJournal = true
      })
      .finally(() => {
        this.becomingDirty = null
      })
    await this.becomingDirty
  }

  private touch(): void {
    this.generation++
    this.mtimeMs = this.clock.now()
  }
}

/** A failure of the staging disk as the program should see it: a full disk
 *  is ENOSPC (not EIO), whatever layer hit it. */
export function stagingError(err: unknown, what: string): FsError {
  if (err instanceof FsError) return err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT') return new FsError('ENOSPC', `${what}: the local disk holding the staging folder is full`, { cause: err })
  return new FsError('EIO', `${what}: staging failed: ${(err as Error | undefined)?.message ?? String(err)}`, { cause: err })
}
