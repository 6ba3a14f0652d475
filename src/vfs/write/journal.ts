// The upload journal: the on-disk record of every staged file that holds data
// the server does not have yet. It is what makes a write survive SIGKILL, a
// crash or a reboot: at start the live entries are read back and resume.
//
// Format: one JSON object per line, appended and fdatasync'ed before the
// caller goes on (`<stateDir>/uploads.journal`). The last record of an id
// wins; 'uploaded' and 'discarded' end it. A crash can leave a torn last line:
// reading skips lines that do not parse, and opening always compacts the file
// (live entries written to a temp file, fsync, rename, fsync of the folder), so
// a torn line never sits between good ones.

import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Clock } from '../../clock.js'
import { systemClock } from '../../clock.js'
import { INTERNAL_DEFAULTS } from '../../config/types.js'

/** dirty: written (maybe still open); queued: closed, waiting to upload;
 *  failed: stopped on an error that needs the user (507, 403, too many tries). */
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
  lastError: string | null
  updatedMs: number
}

interface JournalRecord {
  op: JournalState | JournalOutcome
  id: string
  path: string
  size: number
  attempts: number
  lastError: string | null
  timeMs: number
}

export const JOURNAL_FILE_NAME = 'uploads.journal'

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
  // Appends are serialized so records reach the file in the order they were made.
  private tail: Promise<void> = Promise.resolve()

  private constructor(file: string, options: JournalOptions) {
    this.file = file
    this.clock = options.clock ?? systemClock
    this.compactAfterRecords = options.compactAfterRecords ?? INTERNAL_DEFAULTS.journalCompactAfterRecords
  }

  /** Read the journal under stateDir (created when missing) and compact it. */
  static async open(stateDir: string, options: JournalOptions = {}): Promise<Journal> {
    await fsp.mkdir(stateDir, { recursive: true })
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

  /** Create or change an entry; resolves once the record is on disk. */
  put(entry: Omit<JournalEntry, 'updatedMs'>): Promise<void> {
    const full: JournalEntry = { ...entry, updatedMs: this.clock.now() }
    this.live.set(entry.id, full)
    return this.append({ op: full.state, id: full.id, path: full.path, size: full.size, attempts: full.attempts, lastError: full.lastError, timeMs: full.updatedMs })
  }

  /** Change some fields of a live entry (no-op for an unknown id). */
  update(id: string, patch: Partial<Omit<JournalEntry, 'id' | 'updatedMs'>>): Promise<void> {
    const entry = this.live.get(id)
    if (!entry) return Promise.resolve()
    return this.put({ ...entry, ...patch })
  }

  /** End an entry: the server has the data, or the user dropped it. */
  finish(id: string, outcome: JournalOutcome): Promise<void> {
    const entry = this.live.get(id)
    if (!entry) return Promise.resolve()
    this.live.delete(id)
    return this.append({ op: outcome, id, path: entry.path, size: entry.size, attempts: entry.attempts, lastError: entry.lastError, timeMs: this.clock.now() })
  }

  async close(): Promise<void> {
    await this.tail
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  private append(record: JournalRecord): Promise<void> {
    const line = JSON.stringify(record) + '\n'
    const run = async () => {
      if (!this.handle) throw new Error(`upload journal ${this.file} is closed`)
      await this.handle.write(line)
      await this.handle.datasync()
      this.recordsInFile++
      if (this.recordsInFile > this.live.size + this.compactAfterRecords) await this.compact()
    }
    const result = this.tail.then(run)
    this.tail = result.catch(() => {})
    return result
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
          lastError: record.lastError,
          updatedMs: record.timeMs,
        })
      }
    }
  }

  private async compact(): Promise<void> {
    const temp = `${this.file}.tmp`
    const lines = [...this.live.values()].map(e =>
      JSON.stringify({ op: e.state, id: e.id, path: e.path, size: e.size, attempts: e.attempts, lastError: e.lastError, timeMs: e.updatedMs } satisfies JournalRecord) + '\n',
    )
    const out = await fsp.open(temp, 'w')
    try {
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

const STATES = new Set(['dirty', 'queued', 'failed', 'uploaded', 'discarded'])

function parseRecord(line: string): JournalRecord | null {
  if (!line.trim()) return null
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null // a torn last line after a crash
  }
  const r = value as Partial<JournalRecord>
  if (typeof r !== 'object' || r === null) return null
  if (typeof r.op !== 'string' || !STATES.has(r.op)) return null
  if (typeof r.id !== 'string' || typeof r.path !== 'string') return null
  return {
    op: r.op,
    id: r.id,
    path: r.path,
    size: typeof r.size === 'number' ? r.size : 0,
    attempts: typeof r.attempts === 'number' ? r.attempts : 0,
    lastError: typeof r.lastError === 'string' ? r.lastError : null,
    timeMs: typeof r.timeMs === 'number' ? r.timeMs : 0,
  }
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
