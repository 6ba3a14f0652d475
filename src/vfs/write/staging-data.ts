// The descriptor of one staged data file (<stateDir>/staging/<id>).
//
// The bytes of a small file are written on the daemon's own thread: a write
// of a few KiB into the page cache takes microseconds, where a trip through
// Node's small I/O pool cost two thread switches each way, and on a busy
// 2-core machine each switch waits for a core. A copy of many small files
// (rsync, cp -r) paid that for every open and every write. Past
// SYNC_LIMIT_BYTES a file is a big one: its writes go through the pool, so a
// long copy into the page cache never stalls the mount's other requests.
// fdatasync always goes through the pool (it waits for the disk).
//
// Writes may fail as write(2) does (ENOSPC after a partial write): callers
// loop on bytesWritten and map errors (staging-file.ts).

import fs, { type Stats } from 'node:fs'
import { promisify } from 'node:util'

/** What a staged file needs of its data file. A FileHandle of
 *  node:fs/promises has it too. */
export interface DataFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>
  truncate(length: number): Promise<void>
  datasync(): Promise<void>
  stat(): Promise<Stats>
  close(): Promise<void>
}

/** Up to this offset, writes and truncates run on the calling thread. */
export const SYNC_LIMIT_BYTES = 1024 * 1024

const readAsync = promisify(fs.read)
const writeAsync = promisify(fs.write)
const ftruncateAsync = promisify(fs.ftruncate)
const fdatasyncAsync = promisify(fs.fdatasync)
const fstatAsync = promisify(fs.fstat)
const closeAsync = promisify(fs.close)
const openAsync = promisify(fs.open)

/** Opens a staged data file (flags and mode as fs.open; 0600: it is the
 *  user's content). 'here': on this thread, like the small writes that
 *  follow; 'pool': in Node's I/O pool, for files made ahead of need
 *  (spare-data-files.ts), since a create can wait for the disk's journal. */
export async function openStagingData(file: string, flags: string, where: 'here' | 'pool' = 'here'): Promise<DataFile> {
  return new StagingData(where === 'pool' ? await openAsync(file, flags, 0o600) : fs.openSync(file, flags, 0o600))
}

class StagingData implements DataFile {
  #fd: number | null
  /** Operations in the pool: close waits for them. One a pool thread took
   *  but had not started when another thread closed the descriptor could
   *  hit a new file given the same number (what FileHandle guards too). */
  readonly #running = new Set<Promise<unknown>>()

  constructor(fd: number) {
    this.#fd = fd
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    // Reads may miss the page cache (a file staged before a restart): always in the pool.
    return this.#pooled(fd => readAsync(fd, buffer, offset, length, position))
  }

  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    if (position + length <= SYNC_LIMIT_BYTES) return this.#now(fd => ({ bytesWritten: fs.writeSync(fd, buffer, offset, length, position) }))
    return this.#pooled(fd => writeAsync(fd, buffer, offset, length, position))
  }

  truncate(length: number): Promise<void> {
    if (length <= SYNC_LIMIT_BYTES) return this.#now(fd => fs.ftruncateSync(fd, length))
    return this.#pooled(fd => ftruncateAsync(fd, length))
  }

  datasync(): Promise<void> {
    return this.#pooled(fd => fdatasyncAsync(fd))
  }

  stat(): Promise<Stats> {
    return this.#pooled(fd => fstatAsync(fd))
  }

  async close(): Promise<void> {
    while (this.#fd !== null && this.#running.size > 0) await Promise.allSettled([...this.#running])
    const fd = this.#fd
    if (fd === null) return
    this.#fd = null
    await closeAsync(fd)
  }

  #open(): number {
    if (this.#fd === null) throw Object.assign(new Error('EBADF: staged data file is closed'), { code: 'EBADF' })
    return this.#fd
  }

  #now<T>(run: (fd: number) => T): Promise<T> {
    try {
      return Promise.resolve(run(this.#open()))
    } catch (err) {
      return Promise.reject(err)
    }
  }

  #pooled<T>(run: (fd: number) => Promise<T>): Promise<T> {
    let op: Promise<T>
    try {
      op = run(this.#open())
    } catch (err) {
      return Promise.reject(err)
    }
    this.#running.add(op)
    const done = () => this.#running.delete(op)
    op.then(done, done)
    return op
  }
}
