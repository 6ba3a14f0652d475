import t from 'tap'
import { retryDelayMs } from '../../../src/vfs/write/upload-backoff.js'

t.test('doubles from the initial delay up to the cap, with ±20% jitter', async t => {
  const mid = { retryInitialDelayMs: 1_000, retryMaxDelayMs: 300_000, random: () => 0.5 }
  t.same([1, 2, 3, 4, 9, 10, 50].map(n => retryDelayMs(n, mid)), [1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000])
  t.equal(retryDelayMs(0, mid), 1_000, 'zero failures counts as the first')
  t.equal(retryDelayMs(1, { ...mid, random: () => 0 }), 800)
  t.equal(retryDelayMs(1, { ...mid, random: () => 0.999999 }), 1_200)
  t.equal(retryDelayMs(20, { ...mid, random: () => 0.999999 }), 300_000, 'never above the cap')
  t.equal(retryDelayMs(20, { ...mid, random: () => 0 }), 240_000)
})
