// The lifecycle records of the upload queue: every record the upload journal
// (journal.ts) gets about a staged file is written here, and nowhere else.
// The staging store (staging.ts) tells when its bytes change on disk, because
// the order of a record and the bytes it covers is what survives a crash
// (docs/writes.md, "What survives what"); what each record says is decided
// here, beside the records the queue writes as uploads end.
//
// Order the callers keep:
//  - created/changed before the first byte of a change reaches the staged
//    file, so data on disk always has an entry;
//  - ended before the data file is deleted, so a crash in between leaves only
//    an orphan data file, removed at start;
//  - closed only after the file's data is durable (UploadQueue.closeForWrite).
import { Journal, type AppendOptions, type JournalEntry, type JournalOptions, type JournalOutcome } from './journal.js'
import type { Range } from './lost-ranges.js'
import type { UnfinishedInfo } from './unfinished.js'
import type { UploadFailure } from './upload-failure.js'

/** What a record needs of a staged file (StagedFile has it). */
export interface RecordedFile {
  id: string
  path: string
  size: number
  existedOnServer: boolean
  unfinished?: UnfinishedInfo | null
  lost?: Range[]
}

// Not durable: the file's data is not on disk either until fsync(2) or its
// last close, which make the journal durable with it (makeDurable, sync()).
// Waiting for the disk here made every create of a copy wait for one.
const IN_FILE_ONLY: AppendOptions = { durable: false }

export class UploadRecords {
  constructor(private readonly journal: Journal) {}

  /** The records of the journal under stateDir (Journal.open). */
  static async open(stateDir: string, options: JournalOptions = {}): Promise<UploadRecords> {
    return new UploadRecords(await Journal.open(stateDir, options))
  }

  close(): Promise<void> {
    return this.journal.close()
  }

  /** The live entries (at start: what to resume). */
  entries(): JournalEntry[] {
    return this.journal.entries()
  }

  get(id: string): JournalEntry | undefined {
    return this.journal.get(id)
  }

  /** Every record made so far on disk (fsync(2), a last close). */
  sync(): Promise<void> {
    return this.journal.sync()
  }

  /** create(2) of a new, empty file: dirty at once. */
  created(id: string, path: string, existedOnServer: boolean): Promise<void> {
    return this.journal.put({ ...dirty(id, path, 0), existedOnServer }, IN_FILE_ONLY)
  }

  /** The first change since the file's last close (open for writing). */
  changed(file: RecordedFile): Promise<void> {
    return this.journal.put({ ...dirty(file.id, file.path, file.size), existedOnServer: file.existedOnServer, unfinished: file.unfinished, lost: file.lost }, IN_FILE_ONLY)
  }

  /** rename(2): like one on a local disk, durable with the next fsync or close. */
  moved(file: RecordedFile): Promise<void> {
    return this.journal.update(file.id, { path: file.path, size: file.size, existedOnServer: file.existedOnServer }, IN_FILE_ONLY)
  }

  /** The last close of a complete file: it is to be uploaded as it is. */
  closed(file: RecordedFile): Promise<void> {
    return this.journal.update(file.id, { state: 'queued', size: file.size, lost: [] })
  }

  /** A file still open for writing when the daemon died, decided once at
   *  start: it goes to `path` (unfinished.ts), closed. */
  recoveredUnfinished(entry: JournalEntry, path: string, size: number, unfinished: UnfinishedInfo): Promise<void> {
    return this.journal.put({ ...entry, path, size, state: 'queued', existedOnServer: false, unfinished })
  }

  /** A failure retried later; attempts: the new count when it counted. */
  failedForNow(id: string, error: UploadFailure, attempts?: number): Promise<void> {
    return this.journal.update(id, attempts === undefined ? { error } : { attempts, error })
  }

  /** Failed until the user retries, rewrites or discards it. */
  gaveUp(id: string, attempts: number, error: UploadFailure): Promise<void> {
    return this.journal.update(id, { state: 'failed', attempts, error })
  }

  /** Closed with writes that failed: never uploaded (lost-ranges.ts). */
  incomplete(file: RecordedFile, error: UploadFailure): Promise<void> {
    return this.journal.update(file.id, { state: 'failed', size: file.size, error, lost: file.lost })
  }

  /** The user's retry: a fresh count. */
  retried(id: string): Promise<void> {
    return this.journal.update(id, { state: 'queued', attempts: 0 })
  }

  /** The entry ends: the server has the data, or it was dropped. */
  ended(id: string, outcome: JournalOutcome): Promise<void> {
    return this.journal.finish(id, outcome)
  }
}

function dirty(id: string, path: string, size: number): Omit<JournalEntry, 'updatedMs'> {
  return { id, path, size, state: 'dirty', attempts: 0, error: null }
}
