// Deterministic data for the benchmark: the same seed gives the same tree, the
// same file bytes and the same random-read offsets on every machine, so two
// runs (and two tools in one run) are compared on identical input.
import { createCipheriv, createHash } from 'node:crypto'

/** mulberry32: tiny, fast, good enough for sizes and offsets. */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [min, max], both inclusive. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/** A seeded byte stream: AES-128-CTR keystream keyed by the seed and a label.
 *  Much faster than a JS PRNG for hundreds of MiB, and incompressible, so no
 *  layer can cheat by compressing. */
export class SeededBytes {
  private readonly cipher
  constructor(seed: number, label: string) {
    const key = createHash('sha256').update(`${seed}:${label}`).digest().subarray(0, 16)
    this.cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  }
  next(length: number): Buffer {
    return this.cipher.update(Buffer.alloc(length))
  }
}

export function sha256(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
