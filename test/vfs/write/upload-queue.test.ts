import { existsSync, promises as fsp } from 'node:fs'
import t from 'tap'
import { Journal } from '../../../src/vfs/write/journal.js'
import { UploadRecords } from '../../../src/vfs/write/upload-records.js'
import { StagingStore, type StagedFile, type StagingStoreOptions } from '../../../src/vfs/write/staging.js'
import { openStagingData } from '../../../src/vfs/write/staging-data.js'
import { UploadQueue, type UploadQueueOptions } from '../../../src/vfs/write/upload-queue.js'
import { INTERNAL_DEFAULTS } from '../../../src/config/types.js'
import { WritableFakeRemote, turns, until } from './write-fakes.js'
import { ManualTime } from '../../helpers/manual-time.js'

const DELAY = 2_000
const ANSWER_GRACE_MS = INTERNAL_DEFAULTS.uploadAnswerGraceMs

async function setup(
  dir: string,
  remote = new WritableFakeRemote(),
  options: Partial<UploadQueueOptions> = {},
  time = new ManualTime(Date.UTC(2024, 2, 31, 12)),
  storeOptions: Partial<StagingStoreOptions> = {},
) {
  const journal = await Journal.open(dir, { clock: time })
  const records = new UploadRecords(journal)
  const store = await StagingStore.open(dir, { remote, records, clock: time, ...storeOptions })
  const queue = new UploadQueue({ remote, store, records, time, uploadDelayMs: DELAY, random: () => 0.5, ...options })
  queue.start()
  const events: string[] = []
  for (const name of ['queued', 'upload-start', 'uploaded', 'retry', 'failed', 'discarded'] as const) {
    queue.on(name, (e: { path: string }) => events.push(`${name} ${e.path}`))
  }
  return { remote, time, journal, store, queue, events }
}

type Setup = Awaited<ReturnType<typeof setup>>

function pending(s: Setup): string[] {
  const snap = s.queue.snapshot()
  return [...snap.queued, ...snap.uploading].map(u => u.path)
}

/** What a write handle does: stage, hold, write, release. */
async function writeFile(s: Setup, path: string, text: string, options: { close?: boolean } = {}): Promise<StagedFile> {
  const file = await s.store.stageForWrite(path, { truncate: true, remoteSize: s.remote.nodes.has(path) ? 1 : null })
  s.queue.openForWrite(file)
  await file.write(Buffer.from(text), Buffer.byteLength(text), 0)
  if (options.close !== false) await s.queue.closeForWrite(file)
  return file
}

async function closeAll(s: Setup) {
  await s.queue.close()
  await s.store.close()
  await s.journal.close()
}

t.test('upload after the last close and the delay; data kept until 201', async t => {
  const s = await setup(t.testdir())
  const file = await writeFile(s, '/a.txt', 'hello')
  await s.time.advance(DELAY - 1)
  t.equal(s.remote.callsOf('put').length, 0, 'not before the delay')
  t.equal(s.queue.snapshot().queued[0]?.state, 'waiting')
  s.remote.holdPuts()
  await s.time.advance(1)
  await until(() => s.remote.heldPuts === 1, 'the put is running')
  const snap = s.queue.snapshot()
  t.same(snap.uploading, [{ path: '/a.txt', bytes: 5, sentBytes: 5 }])
  t.same(snap.totals, { queuedBytes: 0, uploadingBytes: 5, failedBytes: 0, count: 1 })
  t.ok(await fsp.stat(file.dataFile), 'staged data still there while the server has not answered')
  t.ok(s.journal.get(file.id))
  s.remote.releasePuts()
  await until(() => s.events.includes('uploaded /a.txt') && !existsSync(file.dataFile), 'upload finished')
  t.equal(s.remote.content('/a.txt'), 'hello')
  await t.rejects(fsp.stat(file.dataFile), { code: 'ENOENT' })
  t.equal(s.journal.get(file.id), undefined)
  t.same(s.events, ['queued /a.txt', 'upload-start /a.txt', 'uploaded /a.txt'])
  t.same(s.queue.snapshot().totals.count, 0)
  await closeAll(s)
})

t.test('rewrites within the delay coalesce; an open file is never uploaded', async t => {
  const s = await setup(t.testdir())
  const file = await writeFile(s, '/doc', 'v1')
  await s.time.advance(DELAY / 2)
  s.queue.openForWrite(file)
  t.equal(s.queue.snapshot().queued[0]?.state, 'open')
  await file.write(Buffer.from('v2'), 2, 0)
  await s.time.advance(DELAY * 10)
  t.equal(s.remote.callsOf('put').length, 0, 'held while open')
  const second = await s.store.stageForWrite('/doc', { truncate: false, remoteSize: null })
  t.equal(second, file)
  s.queue.openForWrite(second) // a second descriptor
  await s.queue.closeForWrite(file)
  await s.time.advance(DELAY * 10)
  t.equal(s.remote.callsOf('put').length, 0, 'not while another descriptor is open')
  await s.queue.closeForWrite(file)
  await s.time.advance(DELAY - 1)
  t.equal(s.remote.callsOf('put').length, 0, 'the delay restarts at the last close')
  await s.time.advance(1)
  await until(() => file.removed, 'uploaded')
  t.equal(s.remote.callsOf('put').length, 1, 'one upload for all the writes')
  t.equal(s.remote.content('/doc'), 'v2')
  await closeAll(s)
})

t.test('uploads wait while a copy is running, up to busyMaxHoldMs past their delay; a drain does not wait', async t => {
  const s = await setup(t.testdir(), undefined, { busyMaxHoldMs: 10_000 })
  await writeFile(s, '/copy/0', 'zero')
  // A copy: one more file closed every half second, for 8 s.
  for (let i = 1; i <= 16; i++) {
    await s.time.advance(500)
    await writeFile(s, `/copy/${i}`, `file ${i}`)
  }
  t.equal(s.remote.callsOf('put').length, 0, 'nothing uploaded while files keep being written')
  await s.time.advance(DELAY - 1)
  t.equal(s.remote.callsOf('put').length, 0, 'not before the copy was quiet for the delay')
  await s.time.advance(1)
  await until(() => s.remote.callsOf('put').length >= 1, 'uploads start once the copy is over')
  await s.queue.drain()
  t.equal(s.remote.content('/copy/16'), 'file 16')

  // A copy that never pauses: the oldest file goes up busyMaxHoldMs after its delay.
  const first = await writeFile(s, '/long/0', 'zero')
  for (let i = 1; i <= 23; i++) {
    await s.time.advance(500)
    await writeFile(s, `/long/${i}`, `file ${i}`)
  }
  t.equal(s.remote.callsOf('put').length, 17, 'held 11.5 s after its close')
  for (let i = 24; i <= 26; i++) {
    await s.time.advance(500)
    await writeFile(s, `/long/${i}`, `file ${i}`)
  }
  await until(() => first.removed, 'the oldest is uploaded 12 s after its close (2 s delay + 10 s)')
  t.equal(s.remote.content('/long/0'), 'zero')

  // A drain (unmount) sends what is closed at once, copy or not.
  await writeFile(s, '/now', 'x')
  const drained = await s.queue.drain()
  t.equal(s.remote.content('/now'), 'x')
  t.equal(drained.snapshot.totals.count, 0)
  await closeAll(s)
})

t.test('a retried upload goes at once, even while a copy is running', async t => {
  const s = await setup(t.testdir(), undefined, { busyMaxHoldMs: 30_000 })
  s.remote.failNext('put', 'no-space')
  await writeFile(s, '/full', 'data')
  await s.time.advance(DELAY)
  await until(() => s.queue.snapshot().failed.length === 1, 'the upload failed')
  // A copy starts: files keep closing.
  await writeFile(s, '/copy/0', 'zero')
  t.equal(await s.queue.retry('/full'), 1)
  await s.time.advance(0)
  await until(() => s.remote.content('/full') === 'data', 'the retried file is sent while the copy runs')
  t.equal(s.remote.content('/copy/0'), undefined, 'the copy itself still waits')
  await s.queue.drain()
  await closeAll(s)
})

t.test('an unchanged copy is dropped at close without an upload', async t => {
  const remote = new WritableFakeRemote().addFile('/same', 'abc')
  const s = await setup(t.testdir(), remote)
  const file = await s.store.stageForWrite('/same', { truncate: false, remoteSize: 3 })
  s.queue.openForWrite(file)
  await s.queue.closeForWrite(file)
  t.ok(file.removed)
  t.notOk(s.store.has('/same'))
  await s.time.advance(DELAY * 2)
  t.equal(remote.callsOf('put').length, 0)
  await s.queue.closeForWrite(file) // unknown now: ignored
  await closeAll(s)
})

t.test('a change during the upload is uploaded again', async t => {
  const s = await setup(t.testdir())
  const file = await writeFile(s, '/f', 'one')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'put running')
  s.queue.openForWrite(file)
  await file.write(Buffer.from('two'), 3, 0)
  await s.queue.closeForWrite(file)
  s.remote.releasePuts()
  await until(() => s.queue.snapshot().queued.length === 1, 'queued again')
  t.notOk(file.removed, 'the newer content is kept')
  t.equal(s.remote.content('/f'), 'one')
  await s.time.advance(DELAY)
  await until(() => file.removed, 'second upload')
  t.equal(s.remote.content('/f'), 'two')
  await closeAll(s)
})

t.test('crash with queued and held uploads: a new start uploads the right content', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote().addFile('/big', 'old')
  const first = await setup(dir, remote)
  await writeFile(first, '/a/b/new.txt', 'fresh')
  await writeFile(first, '/big', 'newer content')
  const open = await writeFile(first, '/still-open', 'typed but not closed', { close: false })
  first.remote.holdPuts()
  await first.time.advance(DELAY)
  await until(() => first.remote.heldPuts === 2, 'two puts running')
  // SIGKILL: the puts never get an answer, nothing is closed.
  const remote2 = new WritableFakeRemote().addFile('/big', 'old')
  remote2.holdPuts()
  const second = await setup(dir, remote2)
  t.same(pending(second).sort(), ['/a/b/new.txt', '/big', '/still-open'], 'every entry resumes at once')
  remote2.holdPuts()
  await until(() => remote2.heldPuts === 2, 'two resumed puts held')
  t.equal(second.store.all().length, 3, 'nothing deleted before 201')
  remote2.releasePuts()
  await until(() => second.store.all().length === 0, 'all uploaded')
  t.equal(remote2.content('/a/b/new.txt'), 'fresh')
  t.equal(remote2.content('/big'), 'newer content')
  t.equal(remote2.content('/still-open'), 'typed but not closed', 'written-but-open data is not lost either')
  t.same(remote2.callsOf('mkdir').map(c => c.path), ['/a', '/a/b'], 'parents created top-down')
  t.same(second.journal.entries(), [])
  t.ok(open)
  await closeAll(second)
  first.remote.releasePuts()
  await first.store.close()
})

t.test('crash while programs write: an unfinished copy never replaces a file on the server', async t => {
  const dir = t.testdir()
  const server = () => new WritableFakeRemote().addFile('/report.pdf', 'the good original').addFile('/reopened.txt', 'old').addFile('/closed.txt', 'old')
  const first = await setup(dir, server())
  // Over a file on the server, cut off by the crash.
  const over = await first.store.stageForWrite('/report.pdf', { truncate: true, remoteSize: 17 })
  first.queue.openForWrite(over)
  await over.write(Buffer.from('the good'), 8, 0)
  // A new file, cut off by the crash.
  await writeFile(first, '/new.txt', 'new but open', { close: false })
  // Closed once (queued), then opened and written again: cut off too.
  const reopened = await writeFile(first, '/reopened.txt', 'closed once')
  first.queue.openForWrite(reopened)
  await reopened.write(Buffer.from(' and more'), 9, 11)
  // Closed before the crash: complete, it replaces the server's copy.
  await writeFile(first, '/closed.txt', 'complete')
  t.same(
    first.journal.entries().map(e => [e.path, e.state, e.existedOnServer]).sort(),
    [['/closed.txt', 'queued', true], ['/new.txt', 'dirty', false], ['/reopened.txt', 'dirty', true], ['/report.pdf', 'dirty', true]],
    'the journal knows which files are open and which existed',
  )

  const remote2 = server()
  remote2.holdPuts()
  const second = await setup(dir, remote2)
  const minute = /\d{4}-\d\d-\d\d \d\d\.\d\d/.source
  const paths = pending(second).sort()
  t.match(paths, [/^\/closed\.txt$/, /^\/new\.txt$/, new RegExp(`^/reopened \\(unfinished ${minute}\\)\\.txt$`), new RegExp(`^/report \\(unfinished ${minute}\\)\\.pdf$`)])
  t.notOk(second.store.has('/report.pdf'), 'the mount shows the original under its name')
  t.same(
    second.queue.snapshot().unfinished!.map(u => [u.originalPath, u.uploaded]).sort(),
    [[null, false], ['/reopened.txt', false], ['/report.pdf', false]],
  )
  const snap = second.queue.snapshot()
  const item = [...snap.queued, ...snap.uploading].find(q => q.path.startsWith('/report'))
  t.equal(item?.unfinished?.originalPath, '/report.pdf', 'each queued file says it is unfinished')

  remote2.releasePuts()
  await second.queue.drain()
  t.equal(remote2.content('/report.pdf'), 'the good original', 'the original is left alone')
  t.equal(remote2.content(paths[3]!), 'the good', 'the unfinished copy is beside it')
  t.equal(remote2.content('/reopened.txt'), 'old')
  t.equal(remote2.content(paths[2]!), 'closed once and more')
  t.equal(remote2.content('/new.txt'), 'new but open', 'a new file is uploaded as it is')
  t.equal(remote2.content('/closed.txt'), 'complete', 'a closed file replaces the old copy')
  t.ok(second.queue.snapshot().unfinished!.every(u => u.uploaded), 'status keeps saying so after the upload')
  t.same(second.journal.entries(), [])
  await closeAll(second)
  await first.store.close()
})

t.test('a last close during an upload is journaled: a crash then uploads the file as it is', async t => {
  const dir = t.testdir()
  const first = await setup(dir, new WritableFakeRemote().addFile('/f', 'old'))
  const file = await writeFile(first, '/f', 'one')
  first.remote.holdPuts()
  await first.time.advance(DELAY)
  await until(() => first.remote.heldPuts === 1, 'the upload is running')
  first.queue.openForWrite(file)
  await file.write(Buffer.from('two'), 3, 0)
  t.equal(first.journal.get(file.id)?.state, 'dirty', 'open again')
  await first.queue.closeForWrite(file)
  t.equal(first.journal.get(file.id)?.state, 'queued', 'closed, though its upload was running')
  const second = await setup(dir, new WritableFakeRemote().addFile('/f', 'old'))
  t.same(pending(second), ['/f'])
  t.equal(second.queue.snapshot().unfinished, undefined)
  await second.queue.drain()
  t.equal(second.remote.content('/f'), 'two')
  await closeAll(second)
  first.remote.releasePuts()
  await closeAll(first)
})

/** Staged data files on a disk that can be made full: a write then stores
 *  half of its bytes and fails with ENOSPC, as write(2) does. */
function fullableDisk() {
  const disk = { full: false }
  const openDataFile = async (file: string, flags: string) => {
    const data = await openStagingData(file, flags)
    const write = data.write.bind(data)
    data.write = async (buffer: Buffer, offset: number, length: number, position: number) => {
      if (!disk.full) return write(buffer, offset, length, position)
      await write(buffer, offset, Math.floor(length / 2), position)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }
    return data
  }
  return { disk, openDataFile }
}

t.test('a full staging disk: the writer gets ENOSPC and the file is never uploaded as if complete', async t => {
  const dir = t.testdir()
  const { disk, openDataFile } = fullableDisk()
  const server = () => new WritableFakeRemote().addFile('/kept.txt', 'the good original')
  const s = await setup(dir, server(), {}, undefined, { openDataFile })
  const created = await s.store.create('/new.bin')
  s.queue.openForWrite(created)
  await created.write(Buffer.from('first '), 6, 0)
  disk.full = true
  await t.rejects(created.write(Buffer.alloc(1000, 1), 1000, 6), { name: 'FsError', code: 'ENOSPC', message: /staging folder is full/ })
  t.equal(created.size, 6, 'the size is what was written')
  t.equal((await fsp.stat(created.dataFile)).size, 6, 'half a write past the end is cut off again')
  await s.queue.closeForWrite(created)
  const over = await s.store.stageForWrite('/kept.txt', { truncate: true, remoteSize: 17 })
  s.queue.openForWrite(over)
  await t.rejects(over.write(Buffer.from('x'.repeat(40)), 40, 0), { code: 'ENOSPC' })
  await s.queue.closeForWrite(over)
  disk.full = false

  let snap = (await s.queue.drain()).snapshot
  t.match(snap.failed, [
    { path: '/new.bin', bytes: 6, error: { kind: 'incomplete', message: /^1000 bytes could not be written/ } },
    { path: '/kept.txt', bytes: 0, error: { kind: 'incomplete', message: /^40 bytes/ } },
  ])
  t.equal(s.remote.callsOf('put').length, 0, 'nothing uploaded')
  t.equal(await s.queue.retry(), 0, 'retry does not upload content that is not what was written')
  t.match(s.journal.get(created.id), { state: 'failed', lost: [[6, 1006]] }, 'the journal keeps what is missing')
  await closeAll(s)

  const again = await setup(dir, server(), {}, undefined, { openDataFile })
  snap = (await again.queue.drain()).snapshot
  t.equal(snap.failed.length, 2, 'still failed after a restart')
  t.equal(again.remote.callsOf('put').length, 0)
  // The program writes the missing bytes again: complete, uploaded.
  const back = again.store.get('/new.bin')!
  again.queue.openForWrite(back)
  await back.write(Buffer.alloc(1000, 1), 1000, 6)
  await again.queue.closeForWrite(back)
  // A rewrite from the start (O_TRUNC) makes the other whole too.
  const rewritten = await again.store.stageForWrite('/kept.txt', { truncate: true, remoteSize: null })
  again.queue.openForWrite(rewritten)
  await rewritten.write(Buffer.from('new content'), 11, 0)
  await again.queue.closeForWrite(rewritten)
  snap = (await again.queue.drain()).snapshot
  t.same(snap.failed, [])
  t.equal(again.remote.content('/new.bin'), 'first ' + '\x01'.repeat(1000))
  t.equal(again.remote.content('/kept.txt'), 'new content')
  await closeAll(again)
})

t.test('bridge down: retries with capped backoff forever, then drains by itself', async t => {
  const s = await setup(t.testdir(), undefined, { retryInitialDelayMs: 1_000, retryMaxDelayMs: 8_000 })
  s.remote.failAlways('put', 'bridge-down')
  await writeFile(s, '/x', 'data')
  const delays: number[] = []
  s.queue.on('retry', e => delays.push(e.delayMs))
  await s.time.advance(DELAY)
  for (let i = 1; i <= 6; i++) {
    await until(() => delays.length === i, `retry ${i}`)
    await s.time.advance(delays[i - 1]!)
  }
  await until(() => delays.length === 7, 'retry 7')
  t.same(delays, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000], 'doubling up to the cap')
  const queued = s.queue.snapshot().queued[0]!
  t.equal(queued.attempts, 0, 'transient failures do not count')
  t.match(queued.error, { kind: 'bridge-down' })
  t.equal(s.journal.entries()[0]?.state, 'queued')
  s.remote.failAlways('put', null)
  await s.time.advance(8_000)
  await until(() => s.store.all().length === 0, 'uploaded once the bridge is back')
  t.equal(s.remote.content('/x'), 'data')
  await closeAll(s)
})

t.test('pause while unavailable, resume goes at once', async t => {
  const s = await setup(t.testdir(), undefined, { retryInitialDelayMs: 60_000 })
  s.remote.failNext('put', 'timeout')
  await writeFile(s, '/x', 'data')
  await s.time.advance(DELAY)
  await until(() => s.queue.snapshot().queued[0]?.error != null, 'failed once')
  s.queue.pauseWhileUnavailable()
  s.queue.pauseWhileUnavailable()
  t.ok(s.queue.snapshot().paused)
  await writeFile(s, '/y', 'more')
  await s.time.advance(DELAY)
  t.equal(s.remote.callsOf('put').length, 1, 'nothing starts while paused')
  const drained = s.queue.drain()
  s.queue.resume()
  const result = await drained
  t.ok(result.drained, 'drained without waiting for the 60 s backoff')
  t.equal(s.remote.content('/x'), 'data')
  t.equal(s.remote.content('/y'), 'more')
  t.notOk(result.snapshot.paused)
  await closeAll(s)
})

t.test('507 and 403 mark the entry failed, keep the data; retry() uploads', async t => {
  const dir = t.testdir()
  const s = await setup(dir)
  s.remote.failNext('put', 'no-space')
  s.remote.failNext('put', 'forbidden')
  const a = await writeFile(s, '/a', 'aaaa')
  await s.time.advance(DELAY)
  await until(() => s.queue.snapshot().failed.length === 1, 'a failed')
  const b = await writeFile(s, '/b', 'bb')
  await s.time.advance(DELAY)
  await until(() => s.queue.snapshot().failed.length === 2, 'b failed')
  const snap = s.queue.snapshot()
  t.same(
    snap.failed.map(f => [f.path, f.bytes, f.attempts, f.error.kind === 'no-space' || f.error.kind === 'forbidden']),
    [
      ['/a', 4, 1, true],
      ['/b', 2, 1, true],
    ],
  )
  t.equal(snap.totals.failedBytes, 6)
  await s.time.advance(3_600_000)
  t.equal(s.remote.callsOf('put').length, 2, 'no automatic retry')
  t.ok(await fsp.stat(a.dataFile), 'data kept')
  t.equal(s.journal.get(a.id)?.state, 'failed')
  t.ok((await s.queue.drain()).drained, 'failed items do not hold up a drain')
  // the failure survives a restart
  const again = await setup(dir, s.remote, {}, s.time)
  t.same(again.queue.snapshot().failed.map(f => f.path).sort(), ['/a', '/b'])
  t.equal(await again.queue.retry('/a'), 1)
  await again.time.advance(0)
  await until(() => again.remote.content('/a') === 'aaaa', 'retried upload')
  t.equal(await again.queue.retry(), 1, 'retry all')
  await again.time.advance(0)
  await until(() => again.store.all().length === 0, 'all uploaded')
  t.equal(again.remote.content('/b'), 'bb')
  t.equal(await again.queue.retry(), 0)
  t.ok(b)
  await closeAll(again)
})

t.test('other errors count; after maxAttempts the entry fails', async t => {
  const s = await setup(t.testdir(), undefined, { maxAttempts: 3 })
  s.remote.failAlways('put', 'other')
  await writeFile(s, '/f', 'x')
  await s.time.advance(DELAY)
  await until(() => s.queue.snapshot().queued[0]?.attempts === 1, 'one failure')
  await s.time.advance(1_000)
  await until(() => s.queue.snapshot().queued[0]?.attempts === 2, 'two failures')
  await s.time.advance(2_000)
  await until(() => s.events.includes('failed /f'), 'failed')
  t.equal(s.queue.snapshot().failed[0]!.attempts, 3)
  t.same(s.events.filter(e => e.startsWith('retry') || e.startsWith('failed')), ['retry /f', 'retry /f', 'failed /f'])
  // rewriting a failed file starts over
  const file = s.store.get('/f')!
  s.remote.failAlways('put', null)
  s.queue.openForWrite(file)
  t.equal(s.queue.snapshot().queued[0]?.state, 'open')
  await s.queue.closeForWrite(file)
  await s.time.advance(DELAY)
  await until(() => file.removed, 'uploaded')
  await closeAll(s)
})

t.test('at most maxConcurrentUploads at once', async t => {
  const s = await setup(t.testdir(), undefined, { maxConcurrentUploads: 2 })
  for (let i = 0; i < 5; i++) await writeFile(s, `/f${i}`, `content ${i}`)
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 2, 'two running')
  await turns(20)
  t.equal(s.remote.callsOf('put').length, 2)
  t.equal(s.queue.snapshot().queued.filter(q => q.state === 'ready').length, 3)
  s.remote.releasePuts()
  const progress: number[] = []
  const result = await s.queue.drain({ onProgress: totals => progress.push(totals.count) })
  t.ok(result.drained)
  t.equal(progress.at(-1), 0)
  for (let i = 0; i < 5; i++) t.equal(s.remote.content(`/f${i}`), `content ${i}`)
  await closeAll(s)
})

t.test('drain skips the delay, and gives up after timeoutMs', async t => {
  const s = await setup(t.testdir())
  await writeFile(s, '/a', 'A')
  const done = await s.queue.drain({ timeoutMs: 1 })
  t.ok(done.drained, 'no need to wait for the 2 s delay')
  const open = await writeFile(s, '/open', 'O', { close: false })
  const pending = s.queue.drain({ timeoutMs: 5_000 })
  await s.time.advance(5_000)
  const result = await pending
  t.notOk(result.drained, 'an open file holds the drain up until the timeout')
  t.same(result.snapshot.queued.map(q => q.path), ['/open'])
  const waiting = s.queue.drain()
  await s.queue.closeForWrite(open)
  t.ok((await waiting).drained, 'a file closed during a drain goes at once')
  await closeAll(s)
})

t.test('a drain that starts while a close is still making the file durable does not wait the delay', async t => {
  // The kernel does not wait for release: `close(fd); mountctl uploads
  // --wait` sends the drain while release is still in its fsync.
  const s = await setup(t.testdir())
  const file = await writeFile(s, '/a', 'A', { close: false })
  const closing = s.queue.closeForWrite(file)
  const result = s.queue.drain()
  let drained = false
  void result.then(r => (drained = r.drained))
  await closing
  await until(() => drained || s.time.dueWithin(DELAY).length > 0, 'the close scheduled the upload')
  t.same(s.time.dueWithin(DELAY), drained ? [] : [0], 'scheduled at once, not after the delay')
  await s.time.advance(DELAY) // lets the test end when it failed above
  t.ok((await result).drained)
  t.equal(s.remote.content('/a'), 'A')
  await closeAll(s)
})

t.test('rename: queued, uploading, over a queued target, folders', async t => {
  const s = await setup(t.testdir())
  // queued: uploads to the new name only
  await writeFile(s, '/tmp1', 'A')
  t.ok(await s.queue.rename('/tmp1', '/final'))
  await s.time.advance(DELAY)
  await until(() => s.remote.content('/final') === 'A', 'uploaded at the new name')
  t.same(s.remote.callsOf('put').map(c => c.path), ['/final'])

  // over a queued target (editor: write temp, rename over the original)
  await writeFile(s, '/doc', 'old draft')
  await writeFile(s, '/.doc.swp', 'new text')
  t.ok(await s.queue.rename('/.doc.swp', '/doc'))
  await s.time.advance(DELAY)
  await until(() => s.store.all().length === 0, 'uploaded')
  t.equal(s.remote.content('/doc'), 'new text')
  t.notOk(s.remote.nodes.has('/.doc.swp'))
  t.same(s.remote.callsOf('put').map(c => c.path), ['/final', '/doc'], 'the replaced draft never went up')

  // during the upload: aborted, then uploaded at the new name
  await writeFile(s, '/moving', 'M')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'put held')
  const renaming = s.queue.rename('/moving', '/moved')
  // Its body is all sent: its answer is awaited a while, then it is stopped.
  await s.time.advance(ANSWER_GRACE_MS)
  t.ok(await renaming)
  s.remote.releasePuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.content('/moved') === 'M', 'uploaded at the new name')
  t.notOk(s.remote.nodes.has('/moving'))

  // a folder with staged files below it
  await writeFile(s, '/dir/a', '1')
  await writeFile(s, '/dir/sub/b', '2')
  await writeFile(s, '/dirx/c', '3')
  t.equal(await s.queue.renameFolder('/dir', '/new'), 2)
  t.same(s.store.all().map(f => f.path).sort(), ['/dirx/c', '/new/a', '/new/sub/b'])
  t.notOk(await s.queue.rename('/nothing', '/else'))
  t.ok(await s.queue.rename('/dirx/c', '/dirx/c'))
  await s.queue.drain()
  t.equal(s.remote.content('/new/sub/b'), '2')
  await closeAll(s)
})

t.test('an upload that finished before the rename could stop it', async t => {
  const s = await setup(t.testdir())
  await writeFile(s, '/early', 'E')
  await s.time.advance(DELAY)
  // the put resolves on its own before the abort is seen
  s.remote.ignoreAbort = true
  const renamed = s.queue.rename('/early', '/late')
  t.equal(await renamed, false, 'nothing staged any more: the caller moves it on the server')
  t.equal(s.remote.content('/early'), 'E')
  await closeAll(s)
})

t.test('a rename waits a while for an upload whose body is all sent', async t => {
  const s = await setup(t.testdir())
  await writeFile(s, '/sent', 'S')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'put held, its body sent')
  const renaming = s.queue.rename('/sent', '/moved')
  await s.time.advance(ANSWER_GRACE_MS - 1)
  s.remote.releasePuts() // the server answers within the grace
  t.equal(await renaming, false, 'uploaded where it was: the caller moves it on the server')
  t.equal(s.remote.content('/sent'), 'S')
  t.equal(s.remote.callsOf('put').length, 1, 'not sent twice')
  await closeAll(s)
})

t.test('hold: no upload starts at or below the paths until the release, then they all go', async t => {
  const s = await setup(t.testdir())
  await writeFile(s, '/src/a', 'A')
  await writeFile(s, '/srcx', 'X')
  const first = await s.queue.hold(['/src'])
  t.same(first.stopped, [], 'nothing was running')
  await s.time.advance(DELAY)
  await until(() => s.remote.content('/srcx') === 'X', 'a path beside it uploads')
  await turns(5)
  t.same(s.remote.callsOf('put').map(c => c.path), ['/srcx'], 'due, but held')
  first.release()
  first.release() // a second call changes nothing
  await until(() => s.remote.content('/src/a') === 'A', 'uploaded once released')

  // a running upload is stopped, and goes again at the release
  await writeFile(s, '/src/b', 'B')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'put held, its body sent')
  const holding = s.queue.hold(['/elsewhere', '/src'])
  await s.time.advance(ANSWER_GRACE_MS)
  const second = await holding
  t.same(second.stopped, ['/src/b'])
  s.remote.releasePuts()
  await turns(5)
  t.equal(s.remote.content('/src/b'), undefined, 'the stopped put stored nothing')
  second.release()
  await s.time.advance(DELAY)
  await until(() => s.remote.content('/src/b') === 'B', 'uploaded after the release')
  t.same(s.store.all(), [], 'nothing left staged')
  await closeAll(s)
})

t.test('discard (unlink): cancels queued and running uploads', async t => {
  const s = await setup(t.testdir())
  const a = await writeFile(s, '/a', 'A')
  t.ok(await s.queue.discard('/a'))
  t.ok(a.removed)
  await s.time.advance(DELAY)
  t.equal(s.remote.callsOf('put').length, 0)
  await writeFile(s, '/b', 'B')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'held')
  const discarding = s.queue.discard('/b')
  await s.time.advance(ANSWER_GRACE_MS)
  t.ok(await discarding)
  t.notOk(s.remote.nodes.has('/b'), 'the aborted put stored nothing')
  t.notOk(await s.queue.discard('/b'))
  t.same(s.events.filter(e => e.startsWith('discarded')), ['discarded /a', 'discarded /b'])
  t.same(s.journal.entries(), [])
  // unlink of a file that is still open: its handle can finish, nothing uploads
  const c = await writeFile(s, '/c', 'C', { close: false })
  await s.queue.discard('/c')
  await s.queue.closeForWrite(c)
  await s.time.advance(DELAY)
  t.equal(s.queue.snapshot().totals.count, 0)
  s.remote.releasePuts()
  await closeAll(s)
})

t.test('parent folders: created in order, exists tolerated, a file in the way fails', async t => {
  const remote = new WritableFakeRemote().addFolder('/a')
  const s = await setup(t.testdir(), remote, { maxAttempts: 1 })
  remote.failNext('mkdir', 'exists')
  await writeFile(s, '/a/b/c/file', 'deep')
  await s.queue.drain()
  t.same(remote.callsOf('mkdir').map(c => c.path), ['/a/b', '/a/b/c'])
  t.equal(remote.content('/a/b/c/file'), undefined, 'first mkdir answered exists but was not made (fake): put gets 409')
  t.equal(s.queue.snapshot().failed.length, 1)
  remote.addFile('/plain', 'x')
  await writeFile(s, '/plain/child', 'y')
  await s.queue.drain()
  t.match(s.queue.snapshot().failed.map(f => f.error), [{ kind: 'conflict' }, { kind: 'conflict', message: /is a file/ }])
  await closeAll(s)
})

t.test('close keeps everything for the next start', async t => {
  const dir = t.testdir()
  const s = await setup(dir)
  await writeFile(s, '/kept', 'K')
  s.remote.holdPuts()
  await s.time.advance(DELAY)
  await until(() => s.remote.heldPuts === 1, 'held')
  await closeAll(s)
  await writeFile(s, '/late', 'L').catch(() => {})
  const again = await setup(dir)
  t.same(pending(again), ['/kept'])
  await again.queue.drain()
  t.equal(again.remote.content('/kept'), 'K')
  await closeAll(again)
})

t.test('a failed entry whose reason is not recorded is not called incomplete at the next start', async t => {
  // Such an entry: a journal of this version compacted by an older one
  // (which drops the failure object), then read here again.
  const dir = t.testdir()
  const s = await setup(dir)
  s.remote.failNext('put', 'no-space')
  const file = await writeFile(s, '/full.bin', 'data')
  await s.queue.drain()
  t.equal(s.queue.snapshot().failed.length, 1)
  await s.journal.update(file.id, { error: null })
  await closeAll(s)
  const again = await setup(dir)
  const [failed] = again.queue.snapshot().failed
  t.equal(failed?.path, '/full.bin', 'still failed, data kept')
  t.not(failed?.error.kind, 'incomplete', 'its content is whole: not the advice to write it again')
  t.equal(await again.queue.retry(), 1, 'and a retry sends it')
  await again.queue.drain()
  t.equal(again.remote.content('/full.bin'), 'data')
  await closeAll(again)
})
