import t from 'tap'
import { ChunkCache, type Segment } from '../../../src/vfs/cache/chunk-cache.js'

const MiB = 1024 * 1024

function pending(offset: number, length: number): { segment: Segment; resolve: () => void } {
  let resolve!: (b: Buffer) => void
  const data = new Promise<Buffer>(r => (resolve = r))
  return { segment: { offset, length, data }, resolve: () => resolve(Buffer.alloc(length)) }
}

const settle = () => new Promise(r => setImmediate(r))

t.test('completed segments are found by position and bounded in bytes', async t => {
  const cache = new ChunkCache(4 * MiB)
  for (let i = 0; i < 6; i++) {
    const p = pending(i * MiB, MiB)
    cache.add('f', p.segment)
    p.resolve()
    await settle()
  }
  t.equal(cache.sizeBytes, 4 * MiB, 'never more than the budget')
  t.equal(cache.find('f', 0), undefined, 'the oldest segments went first')
  t.equal(cache.find('f', 5 * MiB + 10)?.offset, 5 * MiB)
})

t.test('downloads in flight count against the same budget', async t => {
  const cache = new ChunkCache(4 * MiB)
  for (let i = 0; i < 3; i++) {
    const p = pending(i * MiB, MiB)
    cache.add('done', p.segment)
    p.resolve()
    await settle()
  }
  t.equal(cache.sizeBytes, 3 * MiB)
  t.ok(cache.roomForPrefetch(MiB))
  const a = pending(0, 2 * MiB)
  cache.add('reading', a.segment)
  t.equal(cache.inflightBytes, 2 * MiB)
  t.equal(cache.sizeBytes, 2 * MiB, 'completed segments made way for the download')
  t.notOk(cache.roomForPrefetch(3 * MiB), 'a read-ahead beyond the budget is refused')
  t.ok(cache.roomForPrefetch(2 * MiB))
  t.ok(cache.find('reading', MiB), 'a segment in flight is found, so readers share it')
  a.resolve()
  await settle()
  t.equal(cache.inflightBytes, 0)
  t.equal(cache.sizeBytes, 4 * MiB)
})

t.test('a failed download leaves the budget and is not found', async t => {
  const cache = new ChunkCache(4 * MiB)
  let reject!: (e: Error) => void
  const segment: Segment = { offset: 0, length: MiB, data: new Promise<Buffer>((_, r) => (reject = r)) }
  segment.data.catch(() => {})
  cache.add('f', segment)
  t.equal(cache.inflightBytes, MiB)
  reject(new Error('bridge down'))
  await settle()
  t.equal(cache.inflightBytes, 0)
  t.equal(cache.find('f', 0), undefined)
})

t.test('two full-size windows freed together are both kept for the next GETs', async t => {
  // A read-ahead step can free two windows at once (the cache evicting a
  // segment, the reading handle letting go of another); dropping one of them
  // made the next GET allocate a fresh window, and V8 collect for it.
  const chunks = new ChunkCache(32 * MiB)
  const [a, b] = [chunks.windows.take(8 * MiB), chunks.windows.take(8 * MiB)]
  chunks.windows.release(a)
  chunks.windows.release(b)
  const again = [chunks.windows.take(8 * MiB), chunks.windows.take(8 * MiB)]
  t.same(new Set(again), new Set([a, b]), 'both reused')
  t.equal(chunks.windows.allocated, 2)
})
