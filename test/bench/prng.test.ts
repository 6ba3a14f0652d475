import t from 'tap'
import { makeRandom, randomInt, SeededBytes, sha256 } from '../../bench/prng.js'
import { randomOffsets } from '../../bench/random-offsets.js'

t.test('the same seed gives the same numbers, another seed others', async (t) => {
  const a = makeRandom(7)
  const b = makeRandom(7)
  const c = makeRandom(8)
  const seqA = Array.from({ length: 5 }, a)
  t.same(Array.from({ length: 5 }, b), seqA)
  t.not(Array.from({ length: 5 }, c)[0], seqA[0])
  for (const x of seqA) t.ok(x >= 0 && x < 1)
})

t.test('randomInt stays within both bounds', async (t) => {
  const r = makeRandom(1)
  const seen = new Set<number>()
  for (let i = 0; i < 2000; i++) seen.add(randomInt(r, 3, 5))
  t.same([...seen].sort(), [3, 4, 5])
})

t.test('seeded bytes are reproducible and differ by label', async (t) => {
  const one = new SeededBytes(1, 'big')
  const first = Buffer.concat([one.next(10), one.next(22)])
  t.equal(sha256(first), sha256(new SeededBytes(1, 'big').next(32)), 'pieces continue the same stream')
  t.not(sha256(new SeededBytes(1, 'other').next(32)), sha256(first))
})

t.test('random offsets leave room for a whole block', async (t) => {
  const offsets = randomOffsets(1, 1000, 10_000, 4096)
  t.equal(offsets.length, 1000)
  t.ok(offsets.every((o) => o >= 0 && o <= 10_000 - 4096))
  t.same(randomOffsets(1, 1000, 10_000, 4096), offsets)
  t.throws(() => randomOffsets(1, 1, 100, 4096), /does not fit/)
})
