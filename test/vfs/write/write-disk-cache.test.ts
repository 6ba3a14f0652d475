// A file written through the mount stays readable once uploaded, from the
// disk cache, with the bridge down: on this mount and on the next (the stored
// tree shows the version the upload recorded). A file changed on the server
// since is read new, never from the bytes that were uploaded. Only within the
// disk cache's rules: none without a disk cache, none for a file larger than
// half of it.
import { constants as fsConstants } from 'node:fs'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import type { CoreOptions } from '../../../src/vfs/core-options.js'
import { stagedWrites, type StagedWrites } from '../../../src/vfs/write/write-staged.js'
import { patternBuffer, testOptions } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { WritableFakeRemote, until } from './write-fakes.js'
import { readAll } from '../../helpers/read-file.js'

const KiB = 1024
const MiB = 1024 * KiB

async function mount(t: Test, dir: string, remote: WritableFakeRemote, time: ManualTime, overrides: Partial<CoreOptions> = {}) {
  const store = MountStore.open(dir, 'src', silentLogger)
  let writes: StagedWrites | null = null
  const options = testOptions({ deleteMode: 'permanent', diskCacheMaxBytes: 64 * MiB, ...overrides })
  const fs = new MegaFs({ remote, options, logger: silentLogger, time, stateDir: dir, store, writes: stagedWrites({ trashPurgeCron: null, onCreated: w => (writes = w) }) })
  await writes!.ready
  const queue = await writes!.uploads()
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await fs.close()
    store.close()
  }
  t.teardown(close)
  return { fs, queue, close, options }
}

type Mounted = Awaited<ReturnType<typeof mount>>

async function write(fs: MegaFs, path: string, content: Buffer): Promise<void> {
  const h = await fs.create(path, 0o644)
  await h.write(content, content.length, 0)
  await h.release()
}


async function uploadAll(m: Mounted, time: ManualTime): Promise<void> {
  await time.advance(m.options.uploadDelayMs)
  await until(() => m.queue.snapshot().totals.count === 0, 'uploaded')
}

t.test('a file just uploaded reads byte for byte from the disk cache with the bridge down, on this mount and the next', async t => {
  const dir = t.testdir()
  const time = new ManualTime()
  const remote = new WritableFakeRemote().addFolder('/docs')
  const first = await mount(t, dir, remote, time)
  await first.fs.readdir('/docs') // as the kernel's lookup of a new name does
  const files = new Map([
    ['/docs/report.bin', patternBuffer(300 * KiB + 17, 3)],
    ['/docs/note.txt', Buffer.from('a small note\n')],
  ])
  for (const [path, content] of files) await write(first.fs, path, content)
  await uploadAll(first, time)
  t.same([...files.keys()].map(p => remote.nodes.get(p)?.content.length), [...files.values()].map(c => c.length), 'on the server')
  const bytes = [...files.values()].reduce((a, c) => a + c.length, 0)
  await until(() => first.fs.stats().diskCacheBytes === bytes, 'the uploaded bytes in the disk cache')

  first.fs.setBridgeAvailable(false)
  const reads = remote.callsOf('read').length
  for (const [path, content] of files) t.ok((await readAll(first.fs, path)).equals(content), `${path} byte for byte with the bridge down`)
  t.equal(remote.callsOf('read').length, reads, 'not one read from the bridge')
  await first.close()

  const second = await mount(t, dir, remote, time)
  second.fs.setBridgeAvailable(false)
  const calls = remote.calls.length
  for (const [path, content] of files) t.ok((await readAll(second.fs, path)).equals(content), `${path} byte for byte at the next start, the bridge down`)
  t.equal(remote.calls.length, calls, 'not one request')
})

t.test('a file changed on the server after its upload is read new, never from the uploaded bytes', async t => {
  const dir = t.testdir()
  const time = new ManualTime()
  const remote = new WritableFakeRemote().addFolder('/docs')
  const first = await mount(t, dir, remote, time)
  await first.fs.readdir('/docs')
  const mine = patternBuffer(200 * KiB, 7)
  await write(first.fs, '/docs/shared.bin', mine)
  await uploadAll(first, time)
  await until(() => first.fs.stats().diskCacheBytes === mine.length, 'the uploaded bytes in the disk cache')
  first.fs.setBridgeAvailable(false)
  t.ok((await readAll(first.fs, '/docs/shared.bin')).equals(mine), 'read from the disk cache')
  first.fs.setBridgeAvailable(true)

  // Another client replaces it with as many bytes; the server's listing
  // shows its own time (none, on this fake), not the time of our upload.
  const theirs = patternBuffer(mine.length, 8)
  remote.addFile('/docs/shared.bin', theirs)
  await time.advance(first.options.cacheTtlMs + 1)
  t.ok((await readAll(first.fs, '/docs/shared.bin')).equals(theirs), 'once the folder is listed again, the new content')

  // The same across a restart: the stored tree shows the uploaded version,
  // and the folder is listed again before the open.
  const mine2 = patternBuffer(300 * KiB, 10)
  await write(first.fs, '/docs/other.bin', mine2)
  await uploadAll(first, time)
  await until(() => first.fs.stats().diskCacheBytes === theirs.length + mine2.length, 'the second upload in the disk cache')
  await first.close()
  const theirs2 = patternBuffer(mine2.length, 11)
  remote.addFile('/docs/other.bin', theirs2)
  await time.advance(first.options.cacheTtlMs + 1)
  const second = await mount(t, dir, remote, time)
  const reads = remote.callsOf('read').length
  t.ok((await readAll(second.fs, '/docs/other.bin')).equals(theirs2), 'at the next start, the new content')
  t.ok(remote.callsOf('read').length > reads, 'fetched from the bridge')
})

for (const [what, overrides, size] of [
  ['without a disk cache nothing is kept', { diskCacheMaxBytes: 0 }, 100 * KiB],
  ['a file larger than half the disk cache is not kept', { diskCacheMaxBytes: 1 * MiB }, 600 * KiB],
] as const) {
  t.test(what, async t => {
    const time = new ManualTime()
    const remote = new WritableFakeRemote().addFolder('/docs')
    const m = await mount(t, t.testdir(), remote, time, overrides)
    await m.fs.readdir('/docs')
    const content = patternBuffer(size, 5)
    await write(m.fs, '/docs/big.bin', content)
    await uploadAll(m, time)
    t.ok(remote.nodes.get('/docs/big.bin')?.content.equals(content), 'uploaded')
    t.equal(m.fs.stats().diskCacheBytes, 0, 'nothing kept')
    m.fs.setBridgeAvailable(false)
    const h = await m.fs.open('/docs/big.bin', fsConstants.O_RDONLY)
    await t.rejects(h.read(Buffer.alloc(10), 10, 0), { code: 'EHOSTDOWN' }, 'unreadable with the bridge down')
    await h.release()
  })
}
