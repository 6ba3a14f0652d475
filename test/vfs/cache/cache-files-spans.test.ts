// Reads of the disk cache that do not start and end on block boundaries
// read the whole blocks around them into a buffer reused from read to read
// (cache-files.ts, SpanBuffers), not a new one each time.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BLOCK_BYTES, blockChecksums } from '../../../src/vfs/cache/block-ranges.js'
import { SpanBuffers, cachedFile, readChecked } from '../../../src/vfs/cache/cache-files.js'
import { patternBuffer } from '../../helpers/fake-remote.js'

t.test('unaligned reads are right and share one reused buffer; aligned reads take none; the free ones can be let go', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-spans-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const content = patternBuffer(4 * BLOCK_BYTES + 1000, 3)
  await writeFile(join(dir, '1'), content)
  const entry = cachedFile(dir, { id: 1, key: 'k', path: '/f', size: content.length, bytes: content.length, pinned: false }, new Map(blockChecksums(content, 0)))
  const handle = await open(entry.file, 'r')
  t.teardown(() => handle.close())
  const spans = new SpanBuffers(2 * BLOCK_BYTES + 8192, 2)

  const read = async (position: number, length: number) => {
    const out = Buffer.alloc(length)
    const { copied, bad } = await readChecked(entry, handle, out, 0, position, position + length, spans)
    t.equal(bad, null)
    t.equal(copied, length)
    t.ok(out.equals(content.subarray(position, position + length)), `bytes [${position}, ${position + length})`)
  }
  await read(5000, 4096)
  t.equal(spans.freeCount, 1, 'the span buffer came back')
  const first = spans.take(1)
  spans.give(first)
  await read(BLOCK_BYTES + 7, 8192) // one block
  await read(2 * BLOCK_BYTES - 100, 300) // across two
  await read(4 * BLOCK_BYTES + 10, 990) // the short last block
  t.equal(spans.freeCount, 1, 'one buffer served them all, one after another')
  t.equal(spans.take(1), first, 'the same one')
  spans.give(first)
  await read(BLOCK_BYTES, BLOCK_BYTES) // aligned: straight into the caller's buffer
  t.equal(spans.freeCount, 1)
  spans.dropFree()
  t.equal(spans.freeCount, 0)
  t.not(spans.take(1), first, 'let go: a new one is made')
})

t.test('a span larger than the reused size gets a buffer of its own, not kept', async t => {
  const spans = new SpanBuffers(1024, 2)
  const big = spans.take(4096)
  t.ok(big.length >= 4096)
  spans.give(big)
  t.equal(spans.freeCount, 0)
})
