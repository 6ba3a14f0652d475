import { makeRandom } from './prng.js'

/** The offsets of the random-read workload: uniform, not block-aligned, so a
 *  read may straddle two pages or two cache chunks as real reads do. */
export function randomOffsets(seed: number, count: number, fileBytes: number, blockBytes: number): number[] {
  const random = makeRandom(seed ^ 0x5eed)
  const span = fileBytes - blockBytes
  if (span < 0) throw new Error(`a ${blockBytes}-byte read does not fit in a ${fileBytes}-byte file`)
  return Array.from({ length: count }, () => Math.floor(random() * (span + 1)))
}
