// Buffers for kernel reads, reused: the addon copies a reply to the kernel
// before replyBuf returns, so a buffer is free again at once. Without this
// every read of up to 1 MiB would allocate (and later collect) a new one.
// Most sequential reads need none: their reply is sent from the read-ahead
// window itself (readBytes).

import type { FileHandle } from '../../vfs/types.js'

export class ReadBuffers {
  readonly #free: Buffer[] = []
  readonly #bufferBytes: number
  readonly #keep: number

  /** bufferBytes: the largest read; keep: free buffers held at most. */
  constructor(bufferBytes: number, keep: number) {
    this.#bufferBytes = bufferBytes
    this.#keep = keep
  }

  take(length: number): Buffer {
    if (length > this.#bufferBytes) return Buffer.allocUnsafeSlow(length)
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#bufferBytes)
  }

  give(buffer: Buffer): void {
    if (buffer.length === this.#bufferBytes && this.#free.length < this.#keep) this.#free.push(buffer)
  }

  get freeCount(): number {
    return this.#free.length
  }
}

/** A read's bytes: a view of the handle's read-ahead window when it gives
 *  one (FileHandle.readView), else copied into scratch. Either is valid
 *  until the caller's next await: replyBuf hands it to the kernel before
 *  returning, so before the window can be reused. */
export async function readBytes(handle: FileHandle, scratch: Buffer, length: number, position: number): Promise<Buffer> {
  if (handle.readView) return handle.readView(scratch, length, position)
  return scratch.subarray(0, await handle.read(scratch, length, position))
}
