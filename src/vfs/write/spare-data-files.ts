// Empty staged data files made ahead of need, in Node's I/O pool.
//
// Making a file is a metadata change that waits for the filesystem's own
// journal: on ext4, while the fdatasyncs of files closed a moment before
// commit, one open(O_CREAT) on the daemon's thread took about 0.3 ms, a
// quarter of the time of an `rsync -a` of many small files (a CPU profile
// of the daemon during the copy, docs/performance.md). A create now takes
// a file made earlier by a pool thread, and the pool makes the next one
// while the program writes.
//
// Spares are made only while files are written one after another (a create
// while another file is staged) and dropped once nothing is staged, so an
// idle mount keeps none. A spare has no journal entry: the start after a
// crash removes it with the other data files the journal does not name
// (staging.ts, load), and a clean stop removes the spares. Its name in the staging folder reaches the
// disk with the folder's sync at the file's last close, as a file made at
// the create does (staging.ts, makeDurable).

import { randomUUID } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Logger } from '../../log.js'
import type { DataFile } from './staging-data.js'

/** Spares kept ready: a create takes about as long as a file's write and
 *  close, so a few cover the pool's own delays (its threads busy with syncs). */
export const SPARE_DATA_FILES = 8

export interface SpareDataFile {
  id: string
  handle: DataFile
}

export class SpareDataFiles {
  readonly #folder: string
  readonly #open: (file: string) => Promise<DataFile>
  readonly #max: number
  readonly #log: Logger
  readonly #ready: SpareDataFile[] = []
  readonly #making = new Set<Promise<void>>()
  #closed = false
  /** The last try failed: one try at a time until one works. */
  #failing = false
  /** Spares made for an earlier generation are dropped when they land. */
  #generation = 0

  /** open: makes an empty data file (exclusive create); max: spares kept. */
  constructor(folder: string, open: (file: string) => Promise<DataFile>, log: Logger, max = SPARE_DATA_FILES) {
    this.#folder = folder
    this.#open = open
    this.#max = max
    this.#log = log
  }

  /** A spare made earlier, or null (none ready: the caller makes its own).
   *  makeMore: make spares for the next creates. */
  take(makeMore: boolean): SpareDataFile | null {
    const spare = this.#ready.pop() ?? null
    if (makeMore) this.#fill()
    return spare
  }

  get ready(): number {
    return this.#ready.length
  }

  /** Waits for the spares being made (tests, close). */
  async settled(): Promise<void> {
    while (this.#making.size > 0) await Promise.allSettled([...this.#making])
  }

  /** Closes and deletes every spare, those being made too. */
  async drop(): Promise<void> {
    this.#generation++
    const spares = this.#ready.splice(0)
    await Promise.all(spares.map(s => this.#discard(s)))
    await this.settled()
  }

  /** drop(), and none is made afterwards. */
  async close(): Promise<void> {
    this.#closed = true
    await this.drop()
  }

  #fill(): void {
    const max = this.#failing ? 1 : this.#max
    while (!this.#closed && this.#ready.length + this.#making.size < max) {
      const id = randomUUID()
      const generation = this.#generation
      const making: Promise<void> = this.#open(path.join(this.#folder, id)).then(
        async handle => {
          this.#failing = false
          if (this.#closed || generation !== this.#generation) await this.#discard({ id, handle })
          else this.#ready.push({ id, handle })
        },
        (err: unknown) => {
          // A full disk, no descriptors left: the create makes its own file
          // and reports what goes wrong then. The next create tries again.
          this.#failing = true
          this.#log.debug({ err }, 'could not make a spare staged file')
        },
      ).finally(() => this.#making.delete(making))
      this.#making.add(making)
    }
  }

  async #discard(spare: SpareDataFile): Promise<void> {
    await spare.handle.close().catch(() => {})
    await fsp.unlink(path.join(this.#folder, spare.id)).catch(() => {})
  }
}
