import t from 'tap'
import { DfCache } from '../../src/megacmd/df-cache.js'
import type { MegaDf } from '../../src/megacmd/parse-df.js'
import { ManualTime } from '../helpers/manual-time.js'

const df = (usedBytes: number): MegaDf => ({
  usedBytes,
  totalBytes: 1000,
  availableBytes: 1000 - usedBytes,
  usedPercent: usedBytes / 10,
  cloudDriveBytes: usedBytes,
  inboxBytes: 0,
  rubbishBinBytes: 0,
  incomingSharesBytes: 0,
  versionsBytes: 0,
})

function controlled() {
  const pending: Array<{ resolve: (v: MegaDf) => void; reject: (e: unknown) => void }> = []
  const fetchDf = () => new Promise<MegaDf>((resolve, reject) => pending.push({ resolve, reject }))
  return { pending, fetchDf }
}
const tick = () => new Promise((r) => setImmediate(r))

t.test('serves the cached value and refreshes in the background after the TTL', async (t) => {
  const time = new ManualTime(0)
  const { pending, fetchDf } = controlled()
  const cache = new DfCache(fetchDf, { ttlMs: 1000, time, firstWaitMs: 5_000 })
  const first = cache.get()
  t.equal(pending.length, 1)
  pending[0]!.resolve(df(100))
  t.equal((await first)?.usedBytes, 100)

  await time.advance(999 - time.now())
  t.equal(cache.peek()?.usedBytes, 100)
  t.equal(pending.length, 1, 'fresh: no refresh')

  await time.advance(1500 - time.now())
  t.equal(cache.peek()?.usedBytes, 100, 'stale value returned at once')
  t.equal(pending.length, 2, 'one refresh started')
  t.equal((await cache.get())?.usedBytes, 100, 'get does not wait when a value exists')
  t.equal(pending.length, 2, 'no second refresh while one is in flight')
  pending[1]!.resolve(df(200))
  await tick()
  t.equal(cache.peek()?.usedBytes, 200)
})

t.test('a hung first fetch makes get resolve null after firstWaitMs', async (t) => {
  const { pending, fetchDf } = controlled()
  const time = new ManualTime(0)
  const cache = new DfCache(fetchDf, { firstWaitMs: 1_000, time })
  const got = cache.get()
  await time.advance(1_000)
  t.equal(await got, null)
  t.equal(pending.length, 1)
  t.equal(cache.peek(), null)
  t.equal(pending.length, 1, 'still in flight, not restarted')
})

t.test('failures keep the old value and back off', async (t) => {
  const time = new ManualTime(0)
  const { pending, fetchDf } = controlled()
  const cache = new DfCache(fetchDf, { ttlMs: 100, retryAfterFailureMs: 1000, time })
  cache.peek()
  pending[0]!.resolve(df(1))
  await tick()
  await time.advance(200 - time.now())
  cache.peek()
  pending[1]!.reject(new Error('mega-df hung'))
  await tick()
  t.match(cache.lastError, /mega-df hung/)
  t.equal(cache.peek()?.usedBytes, 1, 'old value kept')
  await time.advance(1100 - time.now())
  cache.peek()
  t.equal(pending.length, 2, 'no retry before retryAfterFailureMs')
  await time.advance(1300 - time.now())
  cache.peek()
  t.equal(pending.length, 3, 'retried')
  pending[2]!.resolve(df(2))
  await tick()
  t.equal(cache.lastError, null)
  cache.invalidate()
  t.equal(cache.peek(), null)
  t.equal(pending.length, 4, 'invalidate forces a refresh')
})
