// Buffers for kernel reads, reused: the addon copies a reply to the kernel
// before replyBuf returns, so a buffer is free again at once. Without this
// every read of up to 1 MiB would allocate (and later collect) a new one.

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
