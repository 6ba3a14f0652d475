// The upload journal: the on-disk record of every staged file that holds data
// the server does not have yet. It is what makes a write survive SIGKILL, a
// crash or a reboot: at start the live entries are read back and resume.
//
// Format: one JSON object per line, appended (`<stateDir>/uploads.journal`).
// A record is durable (fdatasync'ed) before its caller goes on, except those
// written with { durable: false }: they are in the file at once (a killed
// daemon finds them) and reach the disk with the next durable one, so
// creating a file does not wait for the disk (docs/writes.md, "What survives
// what"). The last record of an id
// wins; 'uploaded' and 'discarded' end it. A crash can leave a torn last line:
// reading skips lines that do not parse, and opening always compacts the file
// (live entries written to a temp file, fsync, rename, fsync of the folder), so
// a torn line never sits between good ones.

import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Clock } from '../../clock.js'
import { systemClock } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'
import { GroupRun } from './group-run.js'
import type { Range } from './lost-ranges.js'
import type { UnfinishedInfo } from './unfinished.js'
import { UPLOAD_ERROR_KINDS } from '../../control/wire-types.js'
import { failureFromText, type UploadFailure } from './upload-failure.js'

/** dirty: changed and not closed since (open for writing); queued: closed,
 *  waiting to upload; failed: stopped on an error that needs the user (507,
 *  403, too many tries). An entry still 'dirty' at start is a file the daemon
 *  died under while a program was writing it (unfinished.ts). */
export type JournalState = 'dirty' | 'queued' | 'failed'
export type JournalOutcome = 'uploaded' | 'discarded'

export interface JournalEntry {
  /** The staged file's stable id (its file name under staging/). */
  id: string
  /** Path in the mount, '/'-separated, as given to the Remote. */
  path: string
  size: number
  state: JournalState
  /** Failed tries that counted (transient ones do not). */
  attempts: number
  /** Why the last try failed (its kind, and a message for people). */
  error: UploadFailure | null
  /** The path held a file on the server when it was staged (or a rename
   *  replaced one). Absent in entries written before this was recorded. */
  existedOnServer?: boolean
  /** Set at the start after a crash for a file that was still open for
   *  writing: where it came from and when it was last written. */
  unfinished?: UnfinishedInfo | null
  /** Byte ranges failed writes should have changed (a full disk): the
   *  content is incomplete and is not uploaded (lost-ranges.ts). */
  lost?: Range[]
  updatedMs: number
}

interface JournalRecord {
  op: JournalState | JournalOutcome
  id: string
  path: string
  size: number
  attempts: number
  error: UploadFailure | null
  existedOnServer?: boolean
  unfinished?: UnfinishedInfo | null
  lost?: Range[]
  timeMs: number
}

export const JOURNAL_FILE_NAME = 'uploads.journal'

export interface AppendOptions {
  /** Default true: resolve only once the record is on disk. */
  durable?: boolean
}

export interface JournalOptions {
  clock?: Clock
  /** Compact when the file holds this many more records than live entries. */
  compactAfterRecords?: number
}

export class Journal {
  readonly file: string
  private readonly clock: Clock
  private readonly compactAfterRecords: number
  private readonly live = new Map<string, JournalEntry>()
  private handle: fsp.FileHandle | null = null
  private recordsInFile = 0
  // A record is appended at once, with a plain write on this thread: a
  // JSON line into the page cache takes microseconds, where a trip through
  // Node's I/O pool took a large part of a small file's create or rename.
  // Records therefore reach the file in the order they were made. The
  // fdatasync that makes them durable runs in the background, one for all
  // the records written before it started (group commit). While the file is
  // being compacted, records wait in memory and are written after it.
  private readonly syncs = new GroupRun(() => this.datasync())
  private compacting: Promise<void> | null = null
  private held: { line: string; durable: boolean; done: (err?: unknown) => void }[] = []

  private constructor(file: string, options: JournalOptions) {
    this.file = file
    this.clock = options.clock ?? systemClock
    this.compactAfterRecords = options.compactAfterRecords ?? INTERNAL_DEFAULTS.journalCompactAfterRecords
  }

  /** Read the journal under stateDir (created when missing) and compact it. */
  static async open(stateDir: string, options: JournalOptions = {}): Promise<Journal> {
    await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 })
    const journal = new Journal(path.join(stateDir, JOURNAL_FILE_NAME), options)
    await journal.load()
    await journal.compact()
    return journal
  }

  entries(): JournalEntry[] {
    return [...this.live.values()].map(e => ({ ...e }))
  }

  get(id: string): JournalEntry | undefined {
    const entry = this.live.get(id)
    return entry && { ...entry }
  }

  /** Create or change an entry; resolves once the record is on disk, or
   *  only in the file with durable: false. */
  put(entry: Omit<JournalEntry, 'updatedMs'>, options: AppendOptions = {}): Promise<void> {
    const full: JournalEntry = { ...entry, updatedMs: this.clock.now() }
    this.live.set(entry.id, full)
    return this.append(recordOf(full), options)
  }

  /** Change some fields of a live entry (no-op for an unknown id). */
  update(id: string, patch: Partial<Omit<JournalEntry, 'id' | 'updatedMs'>>, options: AppendOptions = {}): Promise<void> {
    const entry = this.live.get(id)
    if (!entry) return Promise.resolve()
    return this.put({ ...entry, ...patch }, options)
  }

  /** Resolves once every record made so far is on disk (for fsync(2)). */
  sync(): Promise<void> {
    return this.append(null, { durable: true })
  }

  /** End an entry: the server has the data, or the user dropped it. */
  finish(id: string, outcome: JournalOutcome): Promise<void> {
    const entry = this.live.get(id)
    if (!entry) return Promise.resolve()
    this.live.delete(id)
    return this.append({ op: outcome, id, path: entry.path, size: entry.size, attempts: entry.attempts, error: entry.error, timeMs: this.clock.now() }, {})
  }

  async close(): Promise<void> {
    await this.compacting
    await this.syncs.run().catch(() => {})
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  /** null: no record, only a wait until what is written is on disk. */
  private append(record: JournalRecord | null, options: AppendOptions): Promise<void> {
    const line = record === null ? '' : JSON.stringify(record) + '\n'
    const durable = options.durable ?? true
    if (this.compacting) {
      return new Promise((resolve, reject) => this.held.push({ line, durable, done: err => (err === undefined ? resolve() : reject(err)) }))
    }
    try {
      this.writeLine(line)
    } catch (err) {
      return Promise.reject(err)
    }
    if (this.recordsInFile > this.live.size + this.compactAfterRecords) void this.compactSoon()
    return durable ? this.syncs.run() : Promise.resolve()
  }

  private writeLine(line: string): void {
    if (!line) return
    if (!this.handle) throw new Error(`upload journal ${this.file} is closed`)
    const bytes = Buffer.from(line)
    const written = fs.writeSync(this.handle.fd, bytes)
    if (written !== bytes.length) throw new Error(`upload journal ${this.file}: wrote ${written} of ${bytes.length} bytes (disk full?)`)
    this.recordsInFile++
  }

  private async datasync(): Promise<void> {
    if (!this.handle) throw new Error(`upload journal ${this.file} is closed`)
    await this.handle.datasync()
  }

  /** Compaction replaces the file: not while an fdatasync uses it, and
   *  records made meanwhile are written to the new file after it. */
  private compactSoon(): Promise<void> {
    this.compacting ??= (async () => {
      await this.syncs.run().catch(() => {})
      await this.compact().catch(() => {}) // the file as it is stays valid
      const held = this.held.splice(0)
      this.compacting = null
      for (const h of held) {
        try {
          this.writeLine(h.line)
        } catch (err) {
          h.done(err)
          continue
        }
        if (h.durable) this.syncs.run().then(() => h.done(), h.done)
        else h.done()
      }
    })()
    return this.compacting
  }

  private async load(): Promise<void> {
    let text: string
    try {
      text = await fsp.readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const line of text.split('\n')) {
      const record = parseRecord(line)
      if (!record) continue
      if (record.op === 'uploaded' || record.op === 'discarded') {
        this.live.delete(record.id)
      } else {
        this.live.set(record.id, {
          id: record.id,
          path: record.path,
          size: record.size,
          state: record.op,
          attempts: record.attempts,
          error: record.error,
          existedOnServer: record.existedOnServer,
          unfinished: record.unfinished ?? null,
          lost: record.lost,
          updatedMs: record.timeMs,
        })
      }
    }
  }

  private async compact(): Promise<void> {
    const temp = `${this.file}.tmp`
    const lines = [...this.live.values()].map(e => JSON.stringify(recordOf(e)) + '\n')
    // It names every file being uploaded: 0600 whatever the umask (an
    // older journal of looser mode is replaced by this one).
    const out = await fsp.open(temp, 'w', 0o600)
    try {
      await out.chmod(0o600)
      await out.writeFile(lines.join(''))
      await out.sync()
    } finally {
      await out.close()
    }
    await this.handle?.close()
    await fsp.rename(temp, this.file)
    await syncFolder(path.dirname(this.file))
    this.handle = await fsp.open(this.file, 'a')
    this.recordsInFile = lines.length
  }
}

function recordOf(e: JournalEntry): JournalRecord {
  const record: JournalRecord = { op: e.state, id: e.id, path: e.path, size: e.size, attempts: e.attempts, error: e.error, timeMs: e.updatedMs }
  if (e.existedOnServer !== undefined) record.existedOnServer = e.existedOnServer
  if (e.unfinished) record.unfinished = e.unfinished
  if (e.lost?.length) record.lost = e.lost
  return record
}

const STATES = new Set(['dirty', 'queued', 'failed', 'uploaded', 'discarded'])

function parseRecord(line: string): JournalRecord | null {
  if (!line.trim()) return null
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null // a torn last line after a crash
  }
  const r = value as Partial<JournalRecord> & { lastError?: unknown }
  if (typeof r !== 'object' || r === null) return null
  if (typeof r.op !== 'string' || !STATES.has(r.op)) return null
  if (typeof r.id !== 'string' || typeof r.path !== 'string') return null
  return {
    op: r.op,
    id: r.id,
    path: r.path,
    size: typeof r.size === 'number' ? r.size : 0,
    attempts: typeof r.attempts === 'number' ? r.attempts : 0,
    error: parseFailure(r.error) ?? (typeof r.lastError === 'string' ? failureFromText(r.lastError) : null),
    existedOnServer: typeof r.existedOnServer === 'boolean' ? r.existedOnServer : undefined,
    unfinished: parseUnfinished(r.unfinished),
    lost: parseRanges(r.lost),
    timeMs: typeof r.timeMs === 'number' ? r.timeMs : 0,
  }
}

/** A record of this version: { kind, status?, message }. One written before
 *  kinds were recorded has only `lastError`, its text (failureFromText). */
function parseFailure(value: unknown): UploadFailure | null {
  const f = value as Partial<UploadFailure> | null | undefined
  if (typeof f !== 'object' || f === null || typeof f.message !== 'string') return null
  if (!(UPLOAD_ERROR_KINDS as readonly unknown[]).includes(f.kind)) return null
  return { kind: f.kind!, ...(typeof f.status === 'number' ? { status: f.status } : {}), message: f.message }
}

function parseRanges(value: unknown): Range[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.filter((r): r is Range => Array.isArray(r) && r.length === 2 && r.every(n => typeof n === 'number') && r[0] < r[1])
}

function parseUnfinished(value: unknown): UnfinishedInfo | null {
  const u = value as Partial<UnfinishedInfo> | null | undefined
  if (typeof u !== 'object' || u === null || typeof u.lastWriteMs !== 'number') return null
  return { originalPath: typeof u.originalPath === 'string' ? u.originalPath : null, lastWriteMs: u.lastWriteMs }
}

/** fsync a folder so a rename or create in it survives a power loss. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await fsp.open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
