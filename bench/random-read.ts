// The random-read workload's child program: pread of `count` blocks at seeded
// offsets, one after the other, like a database or a media player seeking.
// Prints the sha256 of all blocks in order, which the bench checks.
// Usage: node dist/bench/random-read.js FILE FILE_BYTES COUNT BLOCK_BYTES SEED
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { randomOffsets } from './random-offsets.js'

const [file, fileBytes, count, blockBytes, seed] = process.argv.slice(2)
if (!file || !seed) {
  console.error('usage: node dist/bench/random-read.js FILE FILE_BYTES COUNT BLOCK_BYTES SEED')
  process.exit(2)
}
const block = Number(blockBytes)
const buffer = Buffer.alloc(block)
const hash = createHash('sha256')
const fd = openSync(file, 'r')
for (const offset of randomOffsets(Number(seed), Number(count), Number(fileBytes), block)) {
  let got = 0
  while (got < block) {
    const n = readSync(fd, buffer, got, block - got, offset + got)
    if (n === 0) break
    got += n
  }
  hash.update(buffer.subarray(0, got))
}
closeSync(fd)
process.stdout.write(`${hash.digest('hex')}\n`)
