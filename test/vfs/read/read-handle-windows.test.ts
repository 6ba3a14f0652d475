// Read-ahead windows are reused (window-pool.ts) without any reader ever
// seeing a window's bytes replaced while it still relies on them.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { ChunkCache, fileVersionKey } from '../../../src/vfs/cache/chunk-cache.js'
import { DiskCache } from '../../../src/vfs/cache/disk-cache.js'
import { WindowPool } from '../../../src/vfs/cache/window-pool.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { ReadFileHandle } from '../../../src/vfs/read/read-handle.js'
import type { RemoteEntry } from '../../../src/remote/remote.js'
import { FakeRemote, patternBuffer } from '../../helpers/fake-remote.js'
import { waitUntil } from '../../helpers/wait-until.js'

const MiB = 1024 * 1024

function handle(remote: FakeRemote, chunks: ChunkCache, path: string, size: number) {
  return new ReadFileHandle(handleOptions(remote, chunks, path, size))
}

function handleOptions(remote: FakeRemote, chunks: ChunkCache, path: string, size: number) {
  const entry: RemoteEntry = { name: path.slice(1), isDir: false, size, mtimeMs: 1_600_000_000_000, ctimeMs: null, etag: null }
  return {
    path,
    entry,
    attr: { mode: 0o100644, size, mtimeMs: 0, nlink: 1 } as never,
    remote,
    gate: new BridgeGate(),
    chunks,
    logger: silentLogger,
    readAheadMaxBytes: 2 * MiB,
  }
}

async function readThrough(h: ReadFileHandle, size: number, chunk = 256 * 1024): Promise<Buffer> {
  const out = Buffer.alloc(size)
  for (let pos = 0; pos < size; pos += chunk) await h.read(out.subarray(pos), Math.min(chunk, size - pos), pos)
  return out
}

t.test('a sequential read reuses its windows and every byte is right', async t => {
  const remote = new FakeRemote()
  const content = patternBuffer(40 * MiB, 5)
  remote.addFile('/big.bin', content)
  const chunks = new ChunkCache(8 * MiB)
  const h = handle(remote, chunks, '/big.bin', content.length)
  t.ok((await readThrough(h, content.length)).equals(content))
  await h.release()
  t.ok(chunks.windows.reused >= 10, `${chunks.windows.reused} windows reused`)
})

t.test('with a disk cache, the segments a stream went past leave memory once on disk', async t => {
  const held = async (withDisk: boolean) => {
    const dir = await mkdtemp(join(tmpdir(), 'megamount-read-behind-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const store = MountStore.open(dir, 'test-source', silentLogger)
    const disk = withDisk ? new DiskCache({ folder: store.cacheFolder, maxBytes: 256 * MiB, logger: silentLogger, index: store.content }) : null
    await disk?.ready
    t.teardown(async () => {
      await disk?.close()
      store.close()
    })
    const remote = new FakeRemote()
    const content = patternBuffer(40 * MiB, 6)
    remote.addFile('/big.bin', content)
    const chunks = new ChunkCache(32 * MiB, disk)
    const h = handle(remote, chunks, '/big.bin', content.length)
    t.ok((await readThrough(h, content.length)).equals(content), 'every byte right')
    await h.release()
    await waitUntil('the disk writes', () => (disk?.pendingBytes ?? 0) === 0, 10_000, 5)
    return chunks.sizeBytes
  }
  t.ok((await held(false)) > 24 * MiB, 'without a disk cache the segments stay for the cache to evict')
  // The last window or two, within the kernel's slack of the end.
  t.ok((await held(true)) <= 4 * MiB, 'with one, only those near the reader stay')
})

t.test('a mount made anew on a shared pool reads with the windows of the one before', async t => {
  const remote = new FakeRemote()
  const content = patternBuffer(24 * MiB, 7)
  remote.addFile('/big.bin', content)
  const pool = new WindowPool(16 * MiB)
  const read = async () => {
    const chunks = new ChunkCache(8 * MiB, null, pool)
    const h = handle(remote, chunks, '/big.bin', content.length)
    t.ok((await readThrough(h, content.length)).equals(content), 'every byte right')
    await h.release()
    chunks.close()
  }
  await read()
  const allocated = pool.allocated
  t.ok(pool.freeBytes >= 4 * MiB, 'the windows came back when it closed')
  await read()
  t.equal(pool.allocated, allocated, 'none allocated for the second mount')
})

t.test("a handle's recent segment keeps its bytes after the cache evicts it", async t => {
  const remote = new FakeRemote()
  const first = patternBuffer(4 * MiB, 1)
  const other = patternBuffer(16 * MiB, 2)
  remote.addFile('/a.bin', first).addFile('/b.bin', other)
  const chunks = new ChunkCache(512 * 1024)
  const a = handle(remote, chunks, '/a.bin', first.length)
  const buf = Buffer.alloc(64 * 1024)
  await a.read(buf, buf.length, 2 * MiB)
  t.ok(buf.equals(first.subarray(2 * MiB, 2 * MiB + buf.length)))
  // Seeks in another file fetch windows of the size of a's: the cache (four
  // windows) evicts a's segment, and the next GETs take every free window.
  const b = handle(remote, chunks, '/b.bin', other.length)
  const small = Buffer.alloc(4096)
  for (let k = 0; k < 10; k++) {
    const at = k * 1.5 * MiB
    await b.read(small, small.length, at)
    if (!small.equals(other.subarray(at, at + small.length))) t.fail(`b at ${at}`)
  }
  t.ok(chunks.windows.reused > 0, 'windows were reused meanwhile')
  t.equal(chunks.find(fileVersionKey('/a.bin', { name: 'a.bin', isDir: false, size: first.length, mtimeMs: 1_600_000_000_000, ctimeMs: null, etag: null }), 2 * MiB), undefined, "a's segment is gone from the shared cache")
  const readsBefore = remote.reads.length
  await a.read(buf, buf.length, 2 * MiB + buf.length)
  const again = remote.reads.slice(readsBefore).filter(r => r.path === '/a.bin' && r.offset <= 2 * MiB + buf.length)
  t.same(again, [], 'served from the handle’s own segment (only read-ahead beyond it was asked for)')
  t.ok(buf.equals(first.subarray(2 * MiB + buf.length, 2 * MiB + 2 * buf.length)), 'its bytes were not replaced by a reused window')
  await a.release()
  await b.release()
})

t.test('readView: a view of the window when one segment holds the read, else a copy in scratch', async t => {
  const remote = new FakeRemote()
  const content = patternBuffer(24 * MiB, 4)
  const small = patternBuffer(300_000, 6)
  remote.addFile('/v.bin', content).addFile('/s.bin', small)
  const chunks = new ChunkCache(32 * MiB)
  const h = handle(remote, chunks, '/v.bin', content.length)
  const scratch = Buffer.alloc(MiB)
  let views = 0
  let copies = 0
  for (let pos = 0; pos < content.length; pos += MiB) {
    const bytes = await h.readView(scratch, MiB, pos)
    if (bytes.buffer === scratch.buffer) copies++
    else views++
    if (!bytes.equals(content.subarray(pos, pos + MiB))) t.fail(`bytes at ${pos}`)
  }
  // Windows end on 1 MiB boundaries once they are 1 MiB or more (here from
  // the first), so no read is copied from two.
  t.equal(copies, 0, `${views} reads answered from the window, ${copies} copied`)
  const bigEnds = remote.reads.filter(r => r.length >= MiB).map(r => r.offset + r.length)
  t.same(bigEnds.filter(end => end % MiB !== 0 && end !== content.length), [], 'every request of 1 MiB or more ends on a 1 MiB boundary')
  const edge = remote.reads.find(r => r.offset >= 4 * MiB)!.offset
  const across = await h.readView(scratch, MiB, edge - MiB / 2)
  t.ok(across.buffer === scratch.buffer, 'a read across two windows is copied')
  t.ok(across.equals(content.subarray(edge - MiB / 2, edge + MiB / 2)))
  const tail = await h.readView(scratch, MiB, content.length - 1000)
  t.ok(tail.equals(content.subarray(content.length - 1000)), 'short at the end of the file')
  t.equal((await h.readView(scratch, MiB, content.length)).length, 0, 'nothing past the end')
  const s = handle(remote, chunks, '/s.bin', small.length)
  t.ok((await s.readView(scratch, 4096, 1000)).equals(small.subarray(1000, 5096)), 'a small file')
  await h.release()
  await s.release()
  await t.rejects(h.readView(scratch, 10, 0), { code: 'EBADF' })
})

t.test('a reader that read the start from the cache gets full windows where the cache ends', async t => {
  const remote = new FakeRemote()
  const content = patternBuffer(48 * MiB, 8)
  remote.addFile('/c.bin', content)
  const chunks = new ChunkCache(32 * MiB)
  const options = { ...handleOptions(remote, chunks, '/c.bin', content.length), readAheadMaxBytes: 8 * MiB }
  // A first reader (a thumbnailer, the bench's warm-up) read the first MiBs;
  // its read-ahead left the start of the file in the cache.
  const first = new ReadFileHandle(options)
  const scratch = Buffer.alloc(MiB)
  for (let pos = 0; pos < 2 * MiB; pos += MiB) await first.readView(scratch, MiB, pos)
  await first.release()
  const cachedEnd = Math.max(...remote.reads.map(r => r.offset + r.length))
  const before = remote.reads.length
  const second = new ReadFileHandle(options)
  for (let pos = 0; pos < content.length; pos += MiB) {
    const bytes = await second.readView(scratch, MiB, pos)
    if (!bytes.equals(content.subarray(pos, pos + MiB))) t.fail(`bytes at ${pos}`)
  }
  await second.release()
  const after = remote.reads.slice(before)
  t.equal(after[0]?.offset, cachedEnd, 'the second reader asks from where the cache ends')
  t.ok(after[0]!.length >= 7 * MiB, `its first request is ${after[0]!.length / MiB} MiB, not a small first window`)
})
