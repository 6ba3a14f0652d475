// Read-ahead windows, reused. A cold sequential read fetches 8 MiB windows
// one after another; allocating each anew cost, per 256 MiB, 32 fresh
// mappings whose pages the kernel zeroes on first touch, and a full garbage
// collection every few windows (V8 collects when memory outside its heap
// grows), about a third of the daemon's CPU for the read. A window comes back
// here once nothing holds it, and the next request of the same size takes it.
//
// Holders count their claims: the chunk cache while it keeps the segment
// (chunk-cache.ts), a disk cache write until it is on disk, a read handle
// while the segment is among its recent ones (read-handle.ts). A window is
// free only when the last claim is given back, so no holder ever sees its
// bytes replaced. A holder that forgets to give a claim back costs only the
// reuse: the window is then collected like any buffer. Buffers not made here
// (node:http's answers, small files) pass through retain and release untouched.
//
// Windows of a stream (DIRECT_WINDOW_MIN_BYTES or more) start on a memory page
// (page-aligned.ts), so the disk cache writes them past the page cache.

import { pageAlignedBuffer } from './page-aligned.js'

/** Smaller windows (the first ones of a stream, a seek's) are ordinary
 *  Buffers: cheaper to make, and there are many of them in a random read. */
export const DIRECT_WINDOW_MIN_BYTES = 1024 * 1024

export class WindowPool {
  readonly #claims = new WeakMap<Buffer, number>()
  // Oldest first: a window freed lately is the likeliest size to be asked
  // for next (the read-ahead window grows to its maximum and stays there).
  readonly #free: Buffer[] = []
  readonly #maxFreeBytes: number
  #freeBytes = 0
  #reused = 0
  #allocated = 0

  /** maxFreeBytes: free windows kept for reuse, in bytes at most. */
  constructor(maxFreeBytes: number) {
    this.#maxFreeBytes = Math.max(0, maxFreeBytes)
  }

  /** A window of exactly length bytes, with one claim (the caller's). Its
   *  content is whatever it held before. */
  take(length: number): Buffer {
    let at = this.#free.length - 1
    while (at >= 0 && this.#free[at]!.length !== length) at--
    let buffer: Buffer
    if (at >= 0) {
      buffer = this.#free.splice(at, 1)[0]!
      this.#freeBytes -= length
      this.#reused++
    } else {
      buffer = length >= DIRECT_WINDOW_MIN_BYTES ? pageAlignedBuffer(length) : Buffer.allocUnsafeSlow(length)
      this.#allocated++
    }
    this.#claims.set(buffer, 1)
    return buffer
  }

  /** One more claim on a window (nothing for a buffer not from take()). */
  retain(buffer: Buffer): void {
    const n = this.#claims.get(buffer)
    if (n !== undefined && n > 0) this.#claims.set(buffer, n + 1)
  }

  /** Gives a claim back; the last one frees the window for reuse. */
  release(buffer: Buffer): void {
    const n = this.#claims.get(buffer)
    if (n === undefined || n <= 0) return
    if (n > 1) {
      this.#claims.set(buffer, n - 1)
      return
    }
    this.#claims.delete(buffer)
    if (buffer.length > this.#maxFreeBytes) return
    this.#free.push(buffer)
    this.#freeBytes += buffer.length
    while (this.#freeBytes > this.#maxFreeBytes) this.#freeBytes -= this.#free.shift()!.length
  }

  /** Lets every free window go to the collector, for when the mounts are
   *  quiet (src/daemon/idle-reducer.ts): kept, their touched pages stay
   *  resident however long the daemon idles. The next read allocates anew.
   *  Returns the bytes let go. */
  dropFree(): number {
    const bytes = this.#freeBytes
    this.#free.length = 0
    this.#freeBytes = 0
    return bytes
  }

  /** Bytes of free windows held for reuse. */
  get freeBytes(): number {
    return this.#freeBytes
  }

  /** Windows handed out again rather than allocated. */
  get reused(): number {
    return this.#reused
  }

  /** Windows allocated because none of their size was free. */
  get allocated(): number {
    return this.#allocated
  }
}
