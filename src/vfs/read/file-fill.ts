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
}

interface Fill {
  readers: number
  stopped: boolean
}

export class FileFiller {
  readonly #o: FileFillerOptions
  readonly #fills = new Map<string, Fill>()
  #filledBytes = 0
  // Piece buffers, reused while fills run and let go when the last one ends.
  // A buffer per piece left a 256 MiB fill 64 buffers of 4 MiB for the
  // collector, which V8 lets pile up to about 64 MiB outside its heap. They
  // are ordinary buffers, not page-aligned windows: fills are written
  // through the page cache, where a reader jumping around finds them at once.
  readonly #spare: Buffer[] = []

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
        if (this.#fills.size === 0) this.#spare.length = 0
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
    const { remote, gate, slots, disk, logger } = this.#o
    const end = Math.min(size, offset + FILL_PIECE_BYTES)
    // Only the part not on disk yet: the reader may have fetched some.
    const start = disk.cachedEnd(key, offset)
    if (start >= end) return
    let release: (() => void) | undefined
    try {
      release = await slots.acquire(gate.signal)
      if (fill.stopped || !gate.available) return
      const buffer = this.#spare.pop() ?? Buffer.allocUnsafeSlow(FILL_PIECE_BYTES)
      const allocate = (n: number) => (n <= buffer.length ? buffer.subarray(0, n) : Buffer.allocUnsafeSlow(n))
      const data = await readExactly(remote, path, start, end - start, size, { signal: gate.signal, logger, allocate })
      this.#filledBytes += data.length
      // Waiting for the disk keeps at most FILL_CONCURRENCY pieces in memory.
      await disk.storeNow(key, path, size, start, data)
      // On disk: the buffer may be filled again.
      if (this.#spare.length < FILL_CONCURRENCY) this.#spare.push(buffer)
    } catch (err) {
      // A failed request's buffer is not reused: the socket may still have
      // been writing into it.
      fill.stopped = true
      logger.debug({ err, path, offset: start }, 'background fill stopped')
    } finally {
      release?.()
    }
  }
}
