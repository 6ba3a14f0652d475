import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { Journal } from '../../../src/vfs/write/journal.js'
import { UploadRecords } from '../../../src/vfs/write/upload-records.js'
import { StagingStore, parentOf } from '../../../src/vfs/write/staging.js'
import { openStagingData } from '../../../src/vfs/write/staging-data.js'
import { WritableFakeRemote } from './write-fakes.js'
import { ManualTime } from '../../helpers/manual-time.js'

async function setup(dir: string, remote = new WritableFakeRemote(), fetchChunkBytes = 4) {
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  const journal = await Journal.open(dir, { clock: time })
  const store = await StagingStore.open(dir, { remote, records: new UploadRecords(journal), clock: time, fetchChunkBytes })
  return { remote, time, journal, store }
}

async function readAll(file: { size: number; read(b: Buffer, l: number, p: number): Promise<number> }): Promise<string> {
  const buffer = Buffer.alloc(file.size)
  const n = await file.read(buffer, file.size, 0)
  return buffer.subarray(0, n).toString()
}

t.test('create, write at offsets, read back, truncate', async t => {
  const dir = t.testdir()
  const { store, journal, time } = await setup(dir)
  const file = await store.create('/docs/a.txt')
  t.ok(file.dirty, 'a new file is dirty')
  t.equal(journal.get(file.id)?.path, '/docs/a.txt', 'journaled at once')
  await time.advance(5)
  await file.write(Buffer.from('hello'), 5, 0)
  await file.write(Buffer.from('XY'), 2, 8) // leaves a hole 5..8
  t.equal(file.size, 10)
  t.equal(file.mtimeMs, time.now())
  const buffer = Buffer.alloc(10, 0xff)
  t.equal(await file.read(buffer, 10, 0), 10)
  t.same(buffer, Buffer.from('hello\0\0\0XY'))
  t.equal(await file.read(buffer, 10, 10), 0, 'read at the end')
  await file.truncate(3)
  t.equal(await readAll(file), 'hel')
  await file.truncate(6)
  t.same(Buffer.from(await readAll(file)), Buffer.from('hel\0\0\0'), 'a growing truncate reads as zeros')
  await file.fsync()
  await t.rejects(file.truncate(-1), { code: 'EINVAL' })
  t.same(store.childrenOf('/docs').map(f => f.path), ['/docs/a.txt'])
  t.same(store.childrenOf('/'), [])
  t.same(store.below('/').map(f => f.path), ['/docs/a.txt'])
  t.equal(file.info().size, 6)
  await store.close()
  await journal.close()
})

t.test('opening an existing remote file copies it in chunks, holes stay holes', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote()
  const content = Buffer.concat([Buffer.from('abcd'), Buffer.alloc(8), Buffer.from('xy')])
  remote.addFile('/f.bin', content)
  const { store, journal } = await setup(dir, remote, 4)
  const [a, b] = await Promise.all([
    store.stageForWrite('/f.bin', { truncate: false, remoteSize: content.length }),
    store.stageForWrite('/f.bin', { truncate: false, remoteSize: content.length }),
  ])
  t.equal(a, b, 'two opens share one copy')
  t.equal(remote.callsOf('read').length, 4, '14 bytes in 4-byte chunks')
  t.notOk(a.dirty, 'a copy is not a change')
  t.equal(journal.get(a.id), undefined, 'no journal entry for a clean copy')
  t.same(Buffer.from(await readAll(a)), content)
  const stat = await fsp.stat(a.dataFile)
  t.equal(stat.size, content.length)
  await a.write(Buffer.from('Z'), 1, 0)
  t.ok(a.dirty)
  t.equal(journal.get(a.id)?.state, 'dirty', 'the first change writes the journal entry')
  await store.close()
  await journal.close()
})

t.test('O_TRUNC and new files', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote().addFile('/old.txt', 'old content')
  const { store, journal } = await setup(dir, remote)
  const truncated = await store.stageForWrite('/old.txt', { truncate: true, remoteSize: 11 })
  t.equal(truncated.size, 0)
  t.ok(truncated.dirty, 'O_TRUNC of a remote file is a change')
  t.equal(remote.callsOf('read').length, 0, 'nothing fetched')
  const fresh = await store.stageForWrite('/new.txt', { truncate: false, remoteSize: null })
  t.ok(fresh.dirty)
  t.equal(await store.stageForWrite('/new.txt', { truncate: false, remoteSize: null }), fresh, 'already staged: same file')
  await fresh.write(Buffer.from('abc'), 3, 0)
  await store.stageForWrite('/new.txt', { truncate: true, remoteSize: null })
  t.equal(fresh.size, 0, 'O_TRUNC of a staged file empties it')
  await store.create('/new.txt')
  t.equal(fresh.size, 0, 'create over a staged file empties it')
  await store.close()
  await journal.close()
})

t.test('a failed fetch leaves nothing behind', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote().addFile('/f', 'abcdefgh')
  remote.failNext('read', 'bridge-down')
  const { store, journal } = await setup(dir, remote)
  t.match(await store.stageForWrite('/f', { truncate: false, remoteSize: 8 }).catch((e: unknown) => e), { kind: 'bridge-down' })
  t.notOk(store.has('/f'))
  t.same(await fsp.readdir(store.folder), [])
  // Fewer bytes than the listing said (a cut answer, or the file shrank on
  // the server): no short copy, which would be uploaded over the whole file.
  t.match(await store.stageForWrite('/f', { truncate: false, remoteSize: 20 }).catch((e: unknown) => e), { kind: 'bad-reply', message: /read \/f \[8, 12\): the server sent 0 bytes where the listing says/ })
  t.notOk(store.has('/f'))
  t.same(await fsp.readdir(store.folder), [])
  t.equal((await store.stageForWrite('/f', { truncate: false, remoteSize: 8 })).size, 8, 'with the size listed anew')
  await store.close()
  await journal.close()
})

t.test('restart: dirty files come back with their content, clean copies go', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote().addFile('/clean', 'same as server')
  const first = await setup(dir, remote)
  const a = await first.store.create('/a.txt')
  await a.write(Buffer.from('data of a'), 9, 0)
  const clean = await first.store.stageForWrite('/clean', { truncate: false, remoteSize: 14 })
  const cleanData = clean.dataFile
  // crash: nothing is closed
  const second = await setup(dir, remote)
  const back = second.store.get('/a.txt')
  t.ok(back, 'the dirty file is staged again')
  t.equal(back!.id, a.id, 'with the same id')
  t.ok(back!.dirty)
  t.equal(await readAll(back!), 'data of a')
  t.notOk(second.store.has('/clean'))
  await t.rejects(fsp.stat(cleanData), { code: 'ENOENT' }, 'clean copy deleted')
  await first.store.close()
  await second.store.close()
})

t.test('restart drops journal entries without data and older data for one path', async t => {
  const dir = t.testdir()
  const first = await setup(dir)
  const a = await first.store.create('/a')
  const b = await first.store.create('/b')
  await first.time.advance(10)
  const c = await first.store.create('/c')
  await fsp.rm(a.dataFile)
  // as if a crash hit between the rename of c over b and the end of b's entry
  await first.journal.update(c.id, { path: '/b' })
  const second = await setup(dir)
  t.notOk(second.store.has('/a'))
  t.equal(second.journal.get(a.id), undefined)
  t.equal(second.store.get('/b')?.id, c.id, 'the newer data wins')
  t.equal(second.journal.get(b.id), undefined)
  t.same(second.store.all().length, 1)
  await first.store.close()
  await second.store.close()
})

t.test('rename and remove', async t => {
  const dir = t.testdir()
  const { store, journal } = await setup(dir)
  const a = await store.create('/a')
  await a.write(Buffer.from('A'), 1, 0)
  const b = await store.create('/b')
  a.hold()
  await store.rename('/a', '/b')
  t.equal(store.get('/b'), a)
  t.equal(a.path, '/b')
  t.ok(b.removed, 'the replaced target is dropped')
  t.equal(journal.get(a.id)?.path, '/b')
  t.equal(journal.get(b.id), undefined)
  await t.rejects(store.rename('/nope', '/x'), { code: 'ENOENT' })
  await store.rename('/b', '/b')
  await store.remove('/b', 'discarded')
  t.ok(a.removed)
  t.equal(journal.get(a.id), undefined)
  t.equal(await readAll(a), 'A', 'a holder can still read removed data')
  await a.write(Buffer.from('B'), 1, 1)
  await a.letGo()
  await t.rejects(a.read(Buffer.alloc(1), 1, 0), { code: 'EBADF' }, 'closed after the last holder')
  await store.remove('/none', 'discarded')
  await store.removeFile(a, 'discarded')
  const left = await fsp.readdir(path.join(dir, 'staging'))
  t.notOk(left.includes(a.id) || left.includes(b.id), 'the data files are gone')
  await store.close()
  t.same(await fsp.readdir(path.join(dir, 'staging')), [], 'and the spares with the close')
  await journal.close()
})

t.test('a copy of many files takes empty data files made ahead in the I/O pool; a save, a crash or a stop leaves none', async t => {
  const dir = t.testdir()
  const staging = path.join(dir, 'staging')
  const first = await setup(dir)
  const a = await first.store.create('/a.txt')
  t.equal(await first.store.sparesMade(), 0, 'a lone save makes no spare files')
  await first.store.create('/b.txt')
  t.equal(await first.store.sparesMade(), 8, 'a create while another file is staged (a copy) has some made')
  const before = await fsp.readdir(staging)
  t.equal(before.length, 10)
  const c = await first.store.create('/c.txt')
  t.ok(before.includes(c.id), 'the next create takes one of them')
  t.equal(first.journal.get(c.id)?.path, '/c.txt', 'journaled under the spare id')
  await c.write(Buffer.from('sea'), 3, 0)
  await first.store.makeDurable(c)
  t.equal(await fsp.readFile(c.dataFile, 'utf8'), 'sea')
  t.equal(await first.store.sparesMade(), 8, 'and one more is made')
  // crash: nothing is closed; the spares are data files no entry names
  const second = await setup(dir)
  t.same((await fsp.readdir(staging)).length, 3, 'the start after a crash removes the spares')
  t.equal(await readAll(second.store.get('/c.txt')!), 'sea')
  await second.store.create('/d.txt')
  t.equal(await second.store.sparesMade(), 8)
  for (const p of ['/a.txt', '/b.txt', '/c.txt']) await second.store.remove(p, 'uploaded')
  t.equal((await fsp.readdir(staging)).length, 9, 'spares stay while a file is staged')
  await second.store.remove('/d.txt', 'uploaded')
  t.same(await fsp.readdir(staging), [], 'and go once nothing is staged')
  const e = await second.store.create('/e.txt')
  await second.store.create('/f.txt')
  await second.store.sparesMade()
  await second.store.close()
  t.same((await fsp.readdir(staging)).length, 2, 'a stop removes the spares, the staged files stay')
  t.notOk(a.removed)
  t.ok(e.id)
  await first.store.close()
  await first.journal.close()
  await second.journal.close()
})

t.test('no spare can be made (a full disk): creates make their own file, one try at a time', async t => {
  const dir = t.testdir()
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  const journal = await Journal.open(dir, { clock: time })
  let pooled = 0
  const store = await StagingStore.open(dir, {
    remote: new WritableFakeRemote(),
    records: new UploadRecords(journal),
    clock: time,
    openDataFile: async (file, flags, where) => {
      if (where === 'pool') {
        pooled++
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      }
      return openStagingData(file, flags)
    },
  })
  const a = await store.create('/a')
  const b = await store.create('/b')
  t.equal(await store.sparesMade(), 0)
  t.equal(pooled, 8, 'the second create asked for 8')
  const c = await store.create('/c')
  await store.sparesMade()
  t.equal(pooled, 9, 'after a failure: one try per create')
  await a.write(Buffer.from('x'), 1, 0)
  await c.write(Buffer.from('y'), 1, 0)
  t.same((await fsp.readdir(path.join(dir, 'staging'))).sort(), [a.id, b.id, c.id].sort())
  await store.close()
  await journal.close()
})

t.test('parentOf', async t => {
  t.equal(parentOf('/a'), '/')
  t.equal(parentOf('/a/b/c'), '/a/b')
  t.equal(parentOf('/'), '/')
})

t.test('staged files and their folder are private whatever the umask', async t => {
  const old = process.umask(0)
  t.teardown(() => void process.umask(old))
  const dir = t.testdir()
  const remote = new WritableFakeRemote()
  remote.addFile('/old.txt', Buffer.from('old'))
  const { store, journal } = await setup(dir, remote)
  const created = await store.create('/new.txt')
  const fetched = await store.stageForWrite('/old.txt', { truncate: false, remoteSize: 3 })
  for (const f of [created, fetched]) t.equal((await fsp.stat(path.join(dir, 'staging', f.id))).mode & 0o777, 0o600, f.path)
  t.equal((await fsp.stat(path.join(dir, 'staging'))).mode & 0o777, 0o700)
  await store.close()
  await journal.close()
})
