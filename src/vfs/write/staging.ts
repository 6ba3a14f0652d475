// The staging store: every file being written gets a staged copy on local disk
// (<stateDir>/staging/<id>), and reads, stat and listings of that path see the
// staged content at once, before any upload (read-your-writes).
//
// The store keeps the bytes; the journal's records about them are written by
// the upload queue's records (upload-records.ts), which the store tells when
// its bytes change, in the order that survives a crash:
//  - the journal entry ('dirty') is written before the first byte of a change
//    reaches the staged file, so data on disk always has an entry;
//  - the entry ends ('uploaded'/'discarded') before the data file is deleted,
//    so a crash in between leaves only an orphan data file, removed at start;
//  - a staged copy that was never changed (opened for writing, only read) has
//    no entry and is simply dropped at start: the server has the same bytes.

import { randomUUID } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Clock } from '../../clock.js'
import { systemClock } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { FsError } from '../../errors.js'
import { silentLogger, type Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import { syncFolder, type JournalEntry, type JournalOutcome } from './journal.js'
import type { UploadRecords } from './upload-records.js'
import { Semaphore } from '../../remote/semaphore.js'
import { GroupRun } from './group-run.js'
import { StagedFile } from './staging-file.js'
import { openStagingData, type DataFile } from './staging-data.js'
import { SpareDataFiles } from './spare-data-files.js'
import { readExactly } from '../read/exact-read.js'
import { unfinishedPath, type UnfinishedInfo } from './unfinished.js'

export { StagedFile, type StagedFileInfo } from './staging-file.js'

export const STAGING_FOLDER_NAME = 'staging'

export interface StagingStoreOptions {
  remote: Remote
  /** Writes the journal's records about staged files (upload-records.ts). */
  records: UploadRecords
  clock?: Clock
  /** Size of each ranged read when copying a file's remote content. */
  fetchChunkBytes?: number
  logger?: Logger
  /** Opens staged data files (staging-data.ts); tests wrap it so that
   *  writes fail (a full disk). */
  openDataFile?: (file: string, flags: string, where?: 'here' | 'pool') => Promise<DataFile>
}

export interface StageForWriteOptions {
  /** O_TRUNC: start empty instead of copying the remote content. */
  truncate: boolean
  /** Size of the remote file, or null when there is none (new file). */
  remoteSize: number | null
}

export class StagingStore {
  readonly folder: string
  private readonly remote: Remote
  private readonly records: UploadRecords
  private readonly clock: Clock
  private readonly fetchChunkBytes: number
  private readonly log: Logger
  private readonly openData: (file: string, flags: string, where?: 'here' | 'pool') => Promise<DataFile>
  private readonly spares: SpareDataFiles
  private readonly byPath = new Map<string, StagedFile>()
  private readonly folderSync = new GroupRun(() => syncFolder(this.folder))
  // An fdatasync can hold a thread of Node's small I/O pool for a long time
  // on a busy disk: files closed together (a copy of many files) sync a few
  // at a time, so the reads and writes of programs on the mount always find
  // a thread free.
  private readonly dataSyncs = new Semaphore(2)
  /** Copies from the remote in progress, so two opens share one download. */
  private readonly fetching = new Map<string, Promise<StagedFile>>()

  private constructor(folder: string, options: StagingStoreOptions) {
    this.folder = folder
    this.remote = options.remote
    this.records = options.records
    this.clock = options.clock ?? systemClock
    this.fetchChunkBytes = options.fetchChunkBytes ?? INTERNAL_DEFAULTS.stagingFetchChunkBytes
    this.log = (options.logger ?? silentLogger).child({ component: 'staging' })
    this.openData = options.openDataFile ?? openStagingData
    this.spares = new SpareDataFiles(folder, file => this.openData(file, 'wx+', 'pool'), this.log)
  }

  /** Open the store under stateDir: adopt the staged files the journal knows
   *  about and delete the rest. */
  static async open(stateDir: string, options: StagingStoreOptions): Promise<StagingStore> {
    const folder = path.join(stateDir, STAGING_FOLDER_NAME)
    // Staged data is the user's file content: private whatever the umask.
    await fsp.mkdir(folder, { recursive: true, mode: 0o700 })
    await fsp.chmod(folder, 0o700)
    const store = new StagingStore(folder, options)
    await store.load()
    return store
  }

  get(filePath: string): StagedFile | undefined {
    return this.byPath.get(filePath)
  }

  has(filePath: string): boolean {
    return this.byPath.has(filePath)
  }

  all(): StagedFile[] {
    return [...this.byPath.values()]
  }

  /** Staged files directly inside folder (for listings). */
  childrenOf(folder: string): StagedFile[] {
    return this.all().filter(f => parentOf(f.path) === folder)
  }

  /** Staged files anywhere below folder. */
  below(folder: string): StagedFile[] {
    const prefix = folder === '/' ? '/' : folder + '/'
    return this.all().filter(f => f.path.startsWith(prefix))
  }

  /** A new, empty file (create(2)): dirty at once, so it reaches the server
   *  even if nothing is ever written to it. existedOnServer: a file of that
   *  name is known on the server (create raced a listing). */
  async create(filePath: string, existedOnServer = false): Promise<StagedFile> {
    const existing = this.byPath.get(filePath)
    if (existing) {
      await existing.truncate(0)
      return existing
    }
    // The journal may name a file before it exists (load() drops such an
    // entry after a crash): the record and the file are made at once.
    const spare = this.takeSpare()
    const id = spare?.id ?? randomUUID()
    const [file] = await Promise.all([
      this.newFile(filePath, existedOnServer, spare ?? { id }),
      this.records.created(id, filePath, existedOnServer),
    ])
    file.dirty = true
    file.openInJournal = true
    return file
  }

  /** The staged copy of filePath for a handle opened for writing: the one
   *  already staged, else an empty one (O_TRUNC or no remote file), else a
   *  copy of the remote content fetched in chunks. */
  async stageForWrite(filePath: string, options: StageForWriteOptions): Promise<StagedFile> {
    let file = this.byPath.get(filePath)
    if (!file) {
      if (options.truncate || options.remoteSize === null) {
        file = options.remoteSize === null ? await this.create(filePath) : await this.newFile(filePath, true)
      } else {
        file = await this.fetchOnce(filePath, options.remoteSize)
      }
    }
    // O_TRUNC is a change even of an empty file: the server must end up empty.
    // It also ends what failed writes left missing (lost-ranges.ts).
    if (options.truncate && (file.size !== 0 || !file.dirty || file.incomplete)) await file.truncate(0)
    return file
  }

  /** How many spare data files are ready once those being made are (tests). */
  sparesMade = (): Promise<number> => this.spares.settled().then(() => this.spares.ready)

  /** Move staged content to a new path. An existing staged target is
   *  replaced (its data dropped), as rename(2) replaces a file.
   *  targetOnServer: a file of that name exists on the server, which the
   *  content now replaces. */
  async rename(from: string, to: string, targetOnServer = false): Promise<void> {
    const file = this.byPath.get(from)
    if (!file) throw new FsError('ENOENT', `nothing staged at ${from}`)
    if (from === to) return
    const target = this.byPath.get(to)
    if (target) await this.remove(to, 'discarded')
    this.byPath.delete(from)
    file.path = to
    file.existedOnServer ||= targetOnServer || (target?.existedOnServer ?? false)
    this.byPath.set(to, file)
    if (file.dirty) await this.records.moved(file)
  }

  /** Drop the staged data of filePath after the journal records why. */
  async remove(filePath: string, outcome: JournalOutcome): Promise<void> {
    const file = this.byPath.get(filePath)
    if (file) await this.removeFile(file, outcome)
  }

  async removeFile(file: StagedFile, outcome: JournalOutcome): Promise<void> {
    if (file.removed) return
    file.removed = true
    if (this.byPath.get(file.path) === file) this.byPath.delete(file.path)
    await this.records.ended(file.id, outcome)
    await unlinkIfThere(file.dataFile)
    if (file.holders === 0) await file.close()
    if (this.byPath.size === 0) await this.spares.drop()
  }

  /** Close every descriptor (the data stays for the next start). */
  async close(): Promise<void> {
    await this.spares.close()
    await Promise.allSettled([...this.fetching.values()])
    await Promise.all(this.all().map(f => f.close()))
    this.byPath.clear()
  }

  private async load(): Promise<void> {
    const names = new Set(await fsp.readdir(this.folder))
    // Newest record first: if a crash left two entries on one path (between a
    // rename over a target and the end of the target's entry), the later wins.
    const entries = this.records.entries().sort((a, b) => b.updatedMs - a.updatedMs)
    const claimed = new Set(entries.map(e => e.path))
    for (const entry of entries) {
      if (!names.has(entry.id)) {
        this.log.warn({ path: entry.path, id: entry.id }, 'journal entry without staged data; dropping it')
        await this.records.ended(entry.id, 'discarded')
        continue
      }
      names.delete(entry.id)
      if (this.byPath.has(entry.path)) {
        this.log.warn({ path: entry.path, id: entry.id }, 'older staged data for a path that has newer data; dropping it')
        await this.records.ended(entry.id, 'discarded')
        await fsp.rm(path.join(this.folder, entry.id), { force: true })
        continue
      }
      const dataFile = path.join(this.folder, entry.id)
      const handle = await this.openData(dataFile, 'r+')
      const stat = await handle.stat()
      // No program closed it before the daemon died: it may be cut short.
      const { filePath, unfinished, existedOnServer } =
        entry.state === 'dirty'
          ? await this.recoverUnfinished(entry, stat.size, stat.mtimeMs, p => this.byPath.has(p) || claimed.has(p))
          : { filePath: entry.path, unfinished: entry.unfinished ?? null, existedOnServer: entry.existedOnServer !== false }
      const file = this.makeFile(entry.id, filePath, handle, stat.size, stat.mtimeMs, true, existedOnServer, unfinished)
      file.lost = entry.lost ?? []
      this.byPath.set(filePath, file)
    }
    for (const orphan of names) {
      // Clean copies and data whose upload finished just before a crash.
      await fsp.rm(path.join(this.folder, orphan), { force: true, recursive: true })
    }
    if (names.size > 0) this.log.info({ count: names.size }, 'removed staged files that needed no upload')
  }

  /** A file still open for writing when the daemon died: over a file the
   *  server has, it goes to a conflict name beside it (the original is left
   *  alone); a new file keeps its name. Entries from before the journal
   *  recorded existedOnServer count as existing: a conflict name loses
   *  nothing. Journaled as closed, so it is decided once. */
  private async recoverUnfinished(
    entry: JournalEntry,
    size: number,
    lastWriteMs: number,
    taken: (p: string) => boolean,
  ): Promise<{ filePath: string; unfinished: UnfinishedInfo; existedOnServer: false }> {
    const existed = entry.existedOnServer !== false
    const filePath = existed ? unfinishedPath(entry.path, lastWriteMs, taken) : entry.path
    const unfinished: UnfinishedInfo = { originalPath: existed ? entry.path : null, lastWriteMs }
    // The name it now goes to holds nothing on the server.
    await this.records.recoveredUnfinished(entry, filePath, size, unfinished)
    if (existed) {
      this.log.warn(
        { path: entry.path, unfinishedPath: filePath, bytes: size },
        'a file was still being written when the daemon stopped: its unfinished copy is uploaded beside it under a new name, and the original is left as it was',
      )
    } else {
      this.log.warn({ path: filePath, bytes: size }, 'a new file was still being written when the daemon stopped: it is uploaded as it is, and may be incomplete')
    }
    return { filePath, unfinished, existedOnServer: false }
  }

  /** fsync(2), and the last close: the staged data, its name in the
   *  staging folder and every journal record so far reach the disk. The
   *  folder is synced here rather than at create (once for all files closed
   *  together), before any durable record names the file. */
  async makeDurable(file: StagedFile): Promise<void> {
    const release = await this.dataSyncs.acquire()
    try {
      await file.fsync()
    } finally {
      release()
    }
    await this.folderSync.run()
    await this.records.sync()
  }

  /** made: a spare data file (made ahead), or the id of one to make now. */
  private async newFile(filePath: string, existedOnServer: boolean, made: { id: string; handle?: DataFile } = this.takeSpare() ?? { id: randomUUID() }): Promise<StagedFile> {
    const id = made.id
    const handle = made.handle ?? (await this.openData(path.join(this.folder, id), 'wx+'))
    const file = this.makeFile(id, filePath, handle, 0, this.clock.now(), false, existedOnServer)
    this.byPath.set(filePath, file)
    return file
  }

  /** Spares are made at a create while another file is staged (a copy),
   *  none for a lone save, none kept once nothing is staged (removeFile). */
  private takeSpare(): { id: string; handle: DataFile } | null {
    return this.spares.take(this.byPath.size > 0)
  }

  private makeFile(
    id: string,
    filePath: string,
    handle: DataFile,
    size: number,
    mtimeMs: number,
    dirty: boolean,
    existedOnServer: boolean,
    unfinished: UnfinishedInfo | null = null,
  ): StagedFile {
    return new StagedFile({
      existedOnServer,
      unfinished,
      id,
      dataFile: path.join(this.folder, id),
      path: filePath,
      size,
      mtimeMs,
      dirty,
      handle,
      clock: this.clock,
      beforeFirstChange: f => this.markDirty(f),
    })
  }

  private markDirty(file: StagedFile): Promise<void> {
    return this.records.changed(file)
  }

  private fetchOnce(filePath: string, remoteSize: number): Promise<StagedFile> {
    let pending = this.fetching.get(filePath)
    if (!pending) {
      pending = this.fetch(filePath, remoteSize).finally(() => this.fetching.delete(filePath))
      this.fetching.set(filePath, pending)
    }
    return pending
  }

  /** Copy the remote file into a new staged file, one chunk in memory at a
   *  time; all-zero chunks are not written, so holes stay holes. */
  private async fetch(filePath: string, remoteSize: number): Promise<StagedFile> {
    const id = randomUUID()
    const dataFile = path.join(this.folder, id)
    const handle = await this.openData(dataFile, 'wx+')
    let size = 0
    try {
      while (size < remoteSize) {
        // Never a short copy: it would be uploaded over the whole file.
        const chunk = await readExactly(this.remote, filePath, size, this.fetchChunkBytes, remoteSize, { logger: this.log })
        if (!isAllZero(chunk)) await writeAll(handle, chunk, size)
        size += chunk.length
      }
      await handle.truncate(size)
    } catch (err) {
      await handle.close()
      await unlinkIfThere(dataFile)
      throw err
    }
    const file = this.makeFile(id, filePath, handle, size, this.clock.now(), false, true)
    // A rename or create of the same path may have won the race meanwhile.
    const winner = this.byPath.get(filePath)
    if (winner) {
      file.removed = true
      await file.close()
      await unlinkIfThere(dataFile)
      return winner
    }
    this.byPath.set(filePath, file)
    this.log.debug({ path: filePath, bytes: size }, 'staged a copy of the remote file')
    return file
  }
}

export function parentOf(filePath: string): string {
  const index = filePath.lastIndexOf('/')
  return index <= 0 ? '/' : filePath.slice(0, index)
}

function isAllZero(buffer: Buffer): boolean {
  for (let i = 0; i < buffer.length; i++) if (buffer[i] !== 0) return false
  return true
}

async function writeAll(handle: DataFile, buffer: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written)
    written += bytesWritten
  }
}

/** A staged data file is a plain file: one unlink(2), where fs.rm first
 *  lstats it to check its options and then removes it as a tree (an upload
 *  of a small file paid both). */
async function unlinkIfThere(file: string): Promise<void> {
  await fsp.unlink(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
  })
}
