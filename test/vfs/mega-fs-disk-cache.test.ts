// The read path with a disk cache: what was downloaded once is read from
// disk, a reader that keeps seeking gets the whole file filled in behind it,
// and cached content stays readable while the bridge is down.
import { constants as fsConstants } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../src/log.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import type { FileHandle } from '../../src/vfs/types.js'
import { FakeRemote, patternBuffer, testOptions } from '../helpers/fake-remote.js'
import { ManualTime, settle } from '../helpers/manual-time.js'
import { waitUntil } from '../helpers/wait-until.js'

const MiB = 1024 * 1024

async function setup(t: Test, diskCacheMaxBytes = 512 * MiB) {
  const stateDir = await mkdtemp(join(tmpdir(), 'megamount-fs-disk-'))
  const remote = new FakeRemote()
  const time = new ManualTime()
  const fs = new MegaFs({ remote, options: testOptions({ diskCacheMaxBytes }), logger: silentLogger, time, stateDir })
  t.teardown(async () => {
    await fs.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { remote, fs, time }
}

const until = (what: string, check: () => boolean) => waitUntil(what, check, 10_000, 5)

/** Moves the test's time on until promise settles (reads wait on it). */
async function untilDone<T>(time: ManualTime, promise: Promise<T>): Promise<T> {
  let done = false
  void promise.then(
    () => (done = true),
    () => (done = true),
  )
  while (!done) await time.advance(20)
  return promise
}

async function readAll(h: FileHandle, size: number, chunk = 128 * 1024): Promise<Buffer> {
  const out = Buffer.alloc(size)
  for (let pos = 0; pos < size; pos += chunk) await h.read(out.subarray(pos), Math.min(chunk, size - pos), pos)
  return out
}

t.test('a file read again costs no request, even after the memory cache let go of it', async t => {
  const { remote, fs } = await setup(t)
  const content = patternBuffer(48 * MiB, 21)
  remote.addFile('/movie.bin', content)
  let h = await fs.open('/movie.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, content.length)).equals(content), 'first read intact')
  await h.release()
  await until('all of it on disk', () => fs.stats().diskCacheBytes === content.length)
  const gets = remote.calls.read

  h = await fs.open('/movie.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, content.length)).equals(content), 'second read intact')
  await h.release()
  t.equal(remote.calls.read, gets, 'no GET for the second read (48 MiB is more than the 32 MiB memory budget)')
})

t.test('small files read twice: the second pass comes from disk', async t => {
  const { remote, fs } = await setup(t)
  const files = Array.from({ length: 30 }, (_, i) => patternBuffer(10_000 + i * 1000, i))
  files.forEach((c, i) => remote.addFile(`/docs/f${String(i).padStart(2, '0')}.txt`, c))
  const pass = async () => {
    for (let i = 0; i < files.length; i++) {
      const h = await fs.open(`/docs/f${String(i).padStart(2, '0')}.txt`, fsConstants.O_RDONLY)
      const got = await readAll(h, files[i]!.length)
      await h.release()
      if (!got.equals(files[i]!)) t.fail(`f${i} differs`)
    }
  }
  await pass()
  const total = files.reduce((a, c) => a + c.length, 0)
  await until('every file on disk', () => fs.stats().diskCacheBytes === total)
  const gets = remote.calls.read
  fs.invalidate('/nothing') // unrelated path: nothing dropped
  await pass()
  t.equal(remote.calls.read, gets, 'no GET on the second pass')
})

t.test('a reader that keeps seeking gets the whole file filled in behind it', async t => {
  const { remote, fs } = await setup(t)
  const content = patternBuffer(64 * MiB, 22)
  remote.addFile('/db.bin', content)
  const h = await fs.open('/db.bin', fsConstants.O_RDONLY)
  let x = 99
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) % (content.length - 4096)
  const check = async () => {
    const pos = next()
    const buf = Buffer.alloc(4096)
    const n = await h.read(buf, 4096, pos)
    if (n !== 4096 || !buf.equals(content.subarray(pos, pos + 4096))) t.fail(`bytes at ${pos}`)
  }
  for (let i = 0; i < 5; i++) await check()
  await until('the whole file on disk', () => fs.stats().diskCacheBytes === content.length)
  t.equal(fs.stats().backgroundFillBytes > 48 * MiB, true, 'most of it came from the background fill')
  const gets = remote.calls.read
  for (let i = 0; i < 200; i++) await check()
  t.equal(remote.calls.read, gets, '200 more random reads cost no request')
  await h.release()
})

t.test('a lone seek or two does not fill the file; closing stops a fill', async t => {
  const { remote, fs, time } = await setup(t)
  const content = patternBuffer(64 * MiB, 23)
  remote.addFile('/video.mp4', content)
  const h = await fs.open('/video.mp4', fsConstants.O_RDONLY)
  const buf = Buffer.alloc(4096)
  await h.read(buf, 4096, 0)
  await h.read(buf, 4096, 60 * MiB) // a thumbnailer reads the end
  await h.read(buf, 4096, 30 * MiB)
  await h.release()
  const reads = remote.reads.length
  await settle() // a fill would have asked for its first piece by now
  t.equal(remote.reads.length, reads, 'two seeks: no fill')
  t.equal(fs.stats().backgroundFillBytes, 0)

  // Each read now takes 20 ms of the test's time, so the fill is caught mid-way.
  remote.readDelayMs = 20
  remote.readTime = time
  const h2 = await fs.open('/video.mp4', fsConstants.O_RDONLY)
  for (const pos of [10, 20, 40, 50].map(m => m * MiB)) await untilDone(time, h2.read(buf, 4096, pos))
  await h2.release()
  for (let i = 0; i < 10; i++) await time.advance(100) // the pieces in flight end
  const filled = fs.stats().backgroundFillBytes
  t.ok(filled > 0, 'three seeks started a fill')
  t.ok(filled <= 6 * 4 * MiB, `it stopped with the last reader: ${filled / MiB} MiB of 64 fetched`)
  for (let i = 0; i < 10; i++) await time.advance(100)
  t.equal(fs.stats().backgroundFillBytes, filled, 'and fetches nothing more')
})

t.test('cached content stays readable while the bridge is down', async t => {
  const { remote, fs } = await setup(t)
  const content = patternBuffer(4 * MiB, 24)
  remote.addFile('/keep.bin', content)
  remote.addFile('/other.bin', content)
  let h = await fs.open('/keep.bin', fsConstants.O_RDONLY)
  await readAll(h, content.length)
  await h.release()
  await until('on disk', () => fs.stats().diskCacheBytes === content.length)
  await fs.getattr('/other.bin')

  fs.setBridgeAvailable(false)
  h = await fs.open('/keep.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, content.length)).equals(content), 'read from disk with the bridge down')
  await h.release()
  const other = await fs.open('/other.bin', fsConstants.O_RDONLY)
  await t.rejects(other.read(Buffer.alloc(10), 10, 0), { code: 'EHOSTDOWN' }, 'what is not cached fails at once')
})

t.test('a new version on the server is never served from the old one', async t => {
  const { remote, fs } = await setup(t)
  const v1 = patternBuffer(2 * MiB, 25)
  const v2 = patternBuffer(2 * MiB, 26)
  remote.addFile('/doc.bin', v1, 1_700_000_000_000)
  let h = await fs.open('/doc.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, v1.length)).equals(v1))
  await h.release()
  await until('on disk', () => fs.stats().diskCacheBytes === v1.length)

  remote.addFile('/doc.bin', v2, 1_700_000_100_000) // same size, newer time
  fs.invalidate('/') // as the listing TTL or `mountctl refresh` would
  h = await fs.open('/doc.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, v2.length)).equals(v2), 'the new content')
  await h.release()
})

t.test('diskCacheMaxBytes 0: no disk cache, reads as before', async t => {
  const { remote, fs } = await setup(t, 0)
  const content = patternBuffer(2 * MiB, 27)
  remote.addFile('/a.bin', content)
  const h = await fs.open('/a.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, content.length)).equals(content))
  await h.release()
  t.equal(fs.stats().diskCacheBytes, 0)
})

t.test('a cut answer fails the read (retried once), is cached nowhere and never changes the size', async t => {
  const { remote, fs } = await setup(t)
  const big = patternBuffer(4 * MiB, 31)
  const small = patternBuffer(300_000, 32)
  remote.addFile('/big.bin', big)
  remote.addFile('/small.bin', small)
  remote.readAnswer = bytes => bytes.subarray(0, Math.floor(bytes.length / 64))
  for (const [path, size] of [['/big.bin', big.length], ['/small.bin', small.length]] as const) {
    const reads = remote.reads.length
    const h = await fs.open(path, fsConstants.O_RDONLY)
    await t.rejects(h.read(Buffer.alloc(128 * 1024), 128 * 1024, 0), { code: 'EIO', message: /where the listing says/ }, `${path}: EIO`)
    t.equal(remote.reads.slice(reads).filter(r => r.offset === 0).length, 2, `${path}: asked twice`)
    t.equal((await fs.getattr(path)).size, size, `${path}: the size is the listing's`)
    t.equal((await h.getattr()).size, size)
    await h.release()
  }
  t.equal(fs.stats().diskCacheBytes, 0, 'nothing on disk')

  remote.readAnswer = null
  for (const [path, content] of [['/big.bin', big], ['/small.bin', small]] as const) {
    const h = await fs.open(path, fsConstants.O_RDONLY)
    t.ok((await readAll(h, content.length)).equals(content), `${path}: whole and intact once the server is fixed, with no refresh`)
    await h.release()
  }
})

t.test('requests start on block boundaries, so what a seek fetches is kept on disk', async t => {
  const { remote, fs } = await setup(t)
  const content = patternBuffer(4 * MiB, 28)
  remote.addFile('/seek.bin', content)
  const h = await fs.open('/seek.bin', fsConstants.O_RDONLY)
  const buf = Buffer.alloc(4096)
  await h.read(buf, 4096, 1_000_000)
  t.ok(buf.equals(content.subarray(1_000_000, 1_004_096)))
  t.equal(remote.reads.at(-1)!.offset, 7 * 128 * 1024, 'from the block boundary before the seek')
  await until('on disk', () => fs.stats().diskCacheBytes === 128 * 1024)
  // A read across a block boundary fetches both blocks in one request.
  await h.read(buf, 4096, 2 * MiB - 100)
  t.ok(buf.equals(content.subarray(2 * MiB - 100, 2 * MiB + 3996)))
  t.equal(remote.reads.at(-1)!.offset, 2 * MiB - 128 * 1024)
  t.ok(remote.reads.at(-1)!.length >= 256 * 1024)
  await h.release()
})

t.test('a read-ahead window that is not a multiple of the block still ends on a block boundary', async t => {
  const stateDir = await mkdtemp(join(tmpdir(), 'megamount-fs-disk-'))
  const remote = new FakeRemote()
  const fs = new MegaFs({ remote, options: testOptions({ diskCacheMaxBytes: 512 * MiB, readAheadMaxBytes: 1_000_000 }), logger: silentLogger, time: new ManualTime(), stateDir })
  t.teardown(async () => {
    await fs.close()
    await rm(stateDir, { recursive: true, force: true })
  })
  const content = patternBuffer(10 * MiB + 12345, 29)
  remote.addFile('/odd.bin', content)
  const h = await fs.open('/odd.bin', fsConstants.O_RDONLY)
  t.ok((await readAll(h, content.length)).equals(content))
  await h.release()
  t.same(remote.reads.filter(r => r.offset % (128 * 1024) !== 0), [], 'every request starts on a boundary')
  await until('the whole file on disk', () => fs.stats().diskCacheBytes === content.length)
})
