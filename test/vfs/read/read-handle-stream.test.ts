// Where one connection is fast, a sequential reader's windows of 1 MiB and
// more come from one streamed GET (Remote.openStream), not one GET each; a
// seek or the handle's end closes it, and a stream that fails hands its
// window to a plain read. Where it is slow, windows stay a GET each.
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { ChunkCache } from '../../../src/vfs/cache/chunk-cache.js'
import { ReadFileHandle } from '../../../src/vfs/read/read-handle.js'
import type { ContentStream, ReadOptions, RemoteEntry } from '../../../src/remote/remote.js'
import { FakeRemote, patternBuffer } from '../../helpers/fake-remote.js'

const MiB = 1024 * 1024

/** The fake remote with streams over its read(); failTake makes the nth
 *  take of any stream (counting from 1) reject. */
class StreamingRemote extends FakeRemote {
  readonly opened: { offset: number; length: number; stream: ContentStream }[] = []
  takes = 0
  failTake = 0

  openStream(path: string, offset: number, length: number, options?: ReadOptions): ContentStream {
    let position = offset
    let closed = false
    const end = offset + length
    const stream: ContentStream = {
      get position() {
        return position
      },
      end,
      get closed() {
        return closed
      },
      take: async (n, allocate) => {
        const from = position
        const want = Math.min(n, end - from)
        position += want
        if (++this.takes === this.failTake) {
          closed = true
          throw new Error('the stream broke')
        }
        return FakeRemote.prototype.read.call(this, path, from, want, { ...options, allocate })
      },
      close: () => (closed = true),
    }
    this.opened.push({ offset, length, stream })
    return stream
  }
}

/** A clock for how fast windows arrive: `msPerCall` ms pass at each look. */
function clock(msPerCall: number): () => number {
  let ms = 0
  return () => (ms += msPerCall)
}

function handle(remote: FakeRemote, path: string, size: number, now = clock(0)) {
  const entry: RemoteEntry = { name: path.slice(1), isDir: false, size, mtimeMs: 1_600_000_000_000, ctimeMs: null, etag: null }
  return new ReadFileHandle({
    path,
    entry,
    attr: { mode: 0o100644, size, mtimeMs: 0, nlink: 1 } as never,
    remote,
    gate: new BridgeGate(),
    chunks: new ChunkCache(32 * MiB),
    logger: silentLogger,
    readAheadMaxBytes: 8 * MiB,
    now,
  })
}

async function readRange(h: ReadFileHandle, from: number, to: number, chunk = MiB): Promise<Buffer> {
  const out = Buffer.alloc(to - from)
  for (let pos = from; pos < to; pos += chunk) await h.read(out.subarray(pos - from), Math.min(chunk, to - pos), pos)
  return out
}

t.test('a sequential read: the small first windows alone, then one stream to the end', async t => {
  const remote = new StreamingRemote()
  const content = patternBuffer(64 * MiB, 3)
  remote.addFile('/big.bin', content)
  const h = handle(remote, '/big.bin', content.length)
  t.ok((await readRange(h, 0, content.length)).equals(content), 'every byte right')
  t.equal(remote.opened.length, 1, 'one stream')
  const [only] = remote.opened
  t.equal(only!.offset + only!.length, content.length, 'asked up to the end of the file')
  // Once a 1 MiB window has shown the link fast: 128 KiB to 2 MiB alone.
  t.ok(only!.offset <= 4 * MiB, `it starts within the first 4 MiB (${only!.offset})`)
  const plain = remote.reads.length - remote.takes
  t.ok(plain <= 5, `${plain} plain reads before it`)
  await h.release()
  t.ok(only!.stream.closed, 'release closes it')
})

t.test('a seek closes the stream; reading on in order opens one where the reader is', async t => {
  const remote = new StreamingRemote()
  const content = patternBuffer(48 * MiB, 4)
  remote.addFile('/big.bin', content)
  const h = handle(remote, '/big.bin', content.length)
  t.ok((await readRange(h, 0, 12 * MiB)).equals(content.subarray(0, 12 * MiB)))
  t.equal(remote.opened.length, 1)
  t.ok((await readRange(h, 30 * MiB, 48 * MiB)).equals(content.subarray(30 * MiB)))
  t.ok(remote.opened[0]!.stream.closed, 'the first stream was closed by the seek')
  t.equal(remote.opened.length, 2)
  t.ok(remote.opened[1]!.offset >= 30 * MiB, 'the second starts past the seek')
  await h.release()
})

t.test('a stream that fails: its window is read plainly, and the bytes are right', async t => {
  const remote = new StreamingRemote()
  const content = patternBuffer(40 * MiB, 5)
  remote.addFile('/big.bin', content)
  remote.failTake = 2
  const h = handle(remote, '/big.bin', content.length)
  t.ok((await readRange(h, 0, content.length)).equals(content), 'every byte right')
  t.equal(remote.opened.length, 2, 'a new stream after the broken one')
  t.ok(remote.opened[0]!.stream.closed)
  await h.release()
})

t.test('a slow link (a 1 MiB window in 100 ms): a GET per window, no stream', async t => {
  const remote = new StreamingRemote()
  const content = patternBuffer(32 * MiB, 6)
  remote.addFile('/big.bin', content)
  const h = handle(remote, '/big.bin', content.length, clock(50))
  t.ok((await readRange(h, 0, content.length)).equals(content))
  t.equal(remote.opened.length, 0, 'no stream')
  t.ok(remote.reads.length >= 6, `${remote.reads.length} GETs`)
  await h.release()
})
