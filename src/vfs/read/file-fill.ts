// Fetching a whole file into the disk cache in the background once a reader
// jumps around in it (a video being scrubbed, a database or archive read at
// random). Each jump alone would cost a round trip to the bridge; with the
// file filling in behind the reader, most jumps soon land on bytes already on
// disk. The fill starts at the reader's position, wraps around to the start,
// skips what is cached, uses the mount's prefetch slots (so the user's own
// requests always find a free one), and stops when the last handle reading
// the file is released, the bridge goes down, or a request fails.

import type { Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { Semaphore } from '../../remote/semaphore.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { DiskCache } from '../cache/disk-cache.js'
import type { WindowPool } from '../cache/window-pool.js'
import { readExactly } from './exact-read.js'

/** Bytes per fill request. */
export const FILL_PIECE_BYTES = 4 * 1024 * 1024
/** Fill requests in flight per file. */
const FILL_CONCURRENCY = 3

export interface FileFillerOptions {
  remote: Remote
  gate: BridgeGate
  slots: Semaphore
  disk: DiskCache
  logger: Logger
  /** Where pieces are downloaded to and given back once on disk: a fill of
   *  256 MiB allocated 64 fresh 4 MiB buffers, and V8 collected every few
   *  (0.85 s of the daemon's 1.85 s of CPU for the bench's random reads). */
  windows: WindowPool
}

interface Fill {
  readers: number
  stopped: boolean
}

export class FileFiller {
  readonly #o: FileFillerOptions
  readonly #fills = new Map<string, Fill>()
  #filledBytes = 0

  constructor(options: FileFillerOptions) {
    this.#o = options
  }

  /** Bytes fetched by fills so far. */
  get filledBytes(): number {
    return this.#filledBytes
  }

  /** A reader of this file version jumped to position: fill the file while
   *  it reads. Returns the function to call when that reader is done. */
  start(key: string, path: string, size: number, position: number): () => void {
    let fill = this.#fills.get(key)
    if (!fill || fill.stopped) {
      if (!this.#o.disk.accepts(size)) return () => {}
      fill = { readers: 0, stopped: false }
      this.#fills.set(key, fill)
      void this.#run(fill, key, path, size, position).finally(() => {
        if (this.#fills.get(key) === fill) this.#fills.delete(key)
      })
    }
    const current = fill
    current.readers++
    let done = false
    return () => {
      if (done) return
      done = true
      if (--current.readers === 0) current.stopped = true
    }
  }

  async #run(fill: Fill, key: string, path: string, size: number, position: number): Promise<void> {
    const first = Math.floor(position / FILL_PIECE_BYTES)
    const pieces = Math.ceil(size / FILL_PIECE_BYTES)
    let next = 0
    const worker = async () => {
      while (next < pieces && !fill.stopped) {
        const offset = ((first + next++) % pieces) * FILL_PIECE_BYTES
        await this.#piece(fill, key, path, size, offset)
      }
    }
    await Promise.all(Array.from({ length: Math.min(FILL_CONCURRENCY, pieces) }, worker))
  }

  async #piece(fill: Fill, key: string, path: string, size: number, offset: number): Promise<void> {
    const { remote, gate, slots, disk, logger, windows } = this.#o
    const end = Math.min(size, offset + FILL_PIECE_BYTES)
    // Only the part not on disk yet: the reader may have fetched some.
    const start = disk.cachedEnd(key, offset)
    if (start >= end) return
    let release: (() => void) | undefined
    let data: Buffer | undefined
    try {
      release = await slots.acquire(gate.signal)
      if (fill.stopped || !gate.available) return
      data = await readExactly(remote, path, start, end - start, size, { signal: gate.signal, logger, allocate: n => windows.take(n) })
      this.#filledBytes += data.length
      // Waiting for the disk keeps at most FILL_CONCURRENCY pieces in memory.
      // Through the page cache: the jumping reader reads these bytes next.
      await disk.storeNow(key, path, size, start, data, { pageCache: true })
    } catch (err) {
      fill.stopped = true
      logger.debug({ err, path, offset: start }, 'background fill stopped')
    } finally {
      if (data) windows.release(data)
      release?.()
    }
  }
}
