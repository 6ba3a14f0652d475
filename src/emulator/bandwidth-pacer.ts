import { Transform, type TransformCallback } from 'node:stream'

// One pacer per emulator: the cap is shared by every request and response
// body, like one network link, so parallel transfers split it.

const SLICE_BYTES = 16 * 1024

export class BandwidthPacer {
  readonly bytesPerSec: number
  /** When the link is free again, in ms since the epoch. */
  private freeAtMs = 0

  constructor(bytesPerSec: number) {
    if (!(bytesPerSec > 0)) throw new Error(`bandwidthBytesPerSec must be a positive number, got ${bytesPerSec}`)
    this.bytesPerSec = bytesPerSec
  }

  /** Books `bytes` on the link; returns how long to wait before sending them. */
  reserve(bytes: number, nowMs = Date.now()): number {
    const startMs = Math.max(nowMs, this.freeAtMs)
    this.freeAtMs = startMs + (bytes * 1000) / this.bytesPerSec
    return startMs - nowMs
  }

  /** A pass-through stream that lets bytes out at the pacer's rate. */
  stream(): Transform {
    return new PacedStream(this)
  }
}

class PacedStream extends Transform {
  constructor(private readonly pacer: BandwidthPacer) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0
    const next = (): void => {
      if (offset >= chunk.length) return done()
      const slice = chunk.subarray(offset, offset + SLICE_BYTES)
      offset += slice.length
      const waitMs = this.pacer.reserve(slice.length)
      const emit = (): void => {
        this.push(slice)
        next()
      }
      if (waitMs > 0) setTimeout(emit, waitMs)
      else emit()
    }
    next()
  }
}
