import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger } from '../../src/log.js'
import { MountUploads } from '../../src/daemon/mount-uploads.js'
import { ManualTime, settle } from '../helpers/manual-time.js'
import { FakeUploadQueue } from './fake-upload-queue.js'

function setup() {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l))
      done()
    },
  })
  const logger = createLogger('debug', sink)
  const time = new ManualTime()
  const queue = new FakeUploadQueue(time)
  const uploads = new MountUploads('photos', logger, time)
  return { lines, time, queue, uploads, attach: async () => (uploads.attach({ uploads: async () => queue }), await settle()) }
}

t.test('nothing attached: empty counts, commands say to mount first', async t => {
  const s = setup()
  t.equal(s.uploads.attached, false)
  t.same(s.uploads.counts().queued, 0)
  t.same(s.uploads.items(), [])
  t.equal(s.uploads.failure(), null)
  await t.rejects(s.uploads.retry(), { message: 'photos is not mounted (or read-only): no upload queue to retry', hint: 'mount it first: mountctl mount photos' })
  await t.rejects(s.uploads.discard('/a'), { message: /no upload queue to discard/ })
  t.equal(await s.uploads.waitUntilUploaded(), 'closed')
})

t.test('attached: counts, items, failure, queued logged at debug once', async t => {
  const s = setup()
  await s.attach()
  t.equal(s.uploads.attached, true)
  s.queue.set([
    { path: '/a.txt', bytes: 100, state: 'uploading', sentBytes: 40 },
    { path: '/b.txt', bytes: 5, state: 'failed', error: { kind: 'no-space', status: 507, message: 'full' } },
  ])
  t.match(s.uploads.counts(), { uploading: 1, uploadingBytes: 100, sentBytes: 40, failed: 1, failedBytes: 5, unmountWaiting: false })
  t.same(s.uploads.items().map(i => i.path), ['/a.txt', '/b.txt'])
  t.match(s.uploads.failure(), { message: 'upload of /b.txt failed: no-space (507): full', hint: /mountctl retry photos/ })
  s.queue.emit('queued', { path: '/c.txt', bytes: 3, delayMs: 2000 })
  await new Promise(r => setImmediate(r))
  const queued = s.lines.filter(l => l.msg === 'upload queued')
  t.equal(queued.length, 1)
  t.match(queued[0], { level: 20, component: 'uploads', path: '/c.txt', bytes: 3, delayMs: 2000 })
})

t.test('retry and discard', async t => {
  const s = setup()
  await s.attach()
  s.queue.set([
    { path: '/a.txt', bytes: 1, state: 'failed' },
    { path: '/b.txt', bytes: 2, state: 'waiting' },
  ])
  await t.rejects(s.uploads.retry('/b.txt'), { message: 'photos: no failed upload at /b.txt to retry', hint: 'see what is queued: mountctl uploads photos' })
  t.equal(await s.uploads.retry(), 1)
  await t.rejects(s.uploads.retry(), { message: 'photos: no failed uploads to retry' })
  await t.rejects(s.uploads.discard('/nope'), { message: 'photos: no upload of /nope', hint: /mountctl uploads photos/ })
  const dry = await s.uploads.discard('/b.txt', { dryRun: true })
  t.match(dry, { item: { path: '/b.txt', bytes: 2, state: 'queued' }, discarded: false })
  t.same(s.queue.discarded, [])
  t.match(await s.uploads.discard('/b.txt'), { item: { path: '/b.txt' }, discarded: true })
  t.same(s.queue.discarded, ['/b.txt'])
})

t.test('wait: uploaded, timeout, aborted, closed', async t => {
  const s = setup()
  await s.attach()
  t.equal(await s.uploads.waitUntilUploaded(), 'uploaded', 'nothing pending')

  s.queue.set([{ path: '/a', bytes: 1, state: 'uploading' }])
  const waiting = s.uploads.waitUntilUploaded({ forUnmount: true })
  await settle()
  t.equal(s.uploads.counts().unmountWaiting, true)
  await s.time.advance(5_000) // many drain slices go by
  t.ok(s.queue.drains >= 5, `drained in slices (${s.queue.drains})`)
  s.queue.finishAll()
  t.equal(await waiting, 'uploaded')
  t.equal(s.uploads.counts().unmountWaiting, false)

  s.queue.set([{ path: '/a', bytes: 1, state: 'uploading' }])
  const bounded = s.uploads.waitUntilUploaded({ timeoutMs: 2_500 })
  await s.time.advance(2_499)
  let ended = false
  void bounded.then(() => (ended = true))
  await settle()
  t.equal(ended, false, 'still waiting before the bound')
  await s.time.advance(1)
  t.equal(await bounded, 'timeout')

  const abort = new AbortController()
  const aborted = s.uploads.waitUntilUploaded({ signal: abort.signal })
  abort.abort()
  await s.time.advance(1_000)
  t.equal(await aborted, 'aborted')

  const closing = s.uploads.waitUntilUploaded()
  s.uploads.detach()
  await s.time.advance(1_000)
  t.equal(await closing, 'closed')
})

t.test('detach remembers and logs what stays in the journal', async t => {
  const s = setup()
  await s.attach()
  s.queue.set([
    { path: '/a', bytes: 10, state: 'uploading', sentBytes: 5 },
    { path: '/b', bytes: 20, state: 'ready' },
    { path: '/c', bytes: 30, state: 'failed' },
  ])
  s.uploads.detach()
  t.equal(s.uploads.attached, false)
  t.match(s.uploads.counts(), { queued: 2, queuedBytes: 30, uploading: 0, sentBytes: 0, failed: 1, failedBytes: 30, inJournal: true })
  t.match(s.uploads.failure(), { message: '1 failed upload kept in the journal', hint: /mountctl mount photos/ })
  await t.rejects(s.uploads.retry(), { message: /not mounted/, hint: /kept in the journal/ })
  const left = s.lines.find(l => /uploads left in the journal/.test(String(l.msg)))
  t.match(left, { level: 40, pending: 2, pendingBytes: 30, failed: 1, paths: ['/a', '/b', '/c'] })
  // Events of the old queue are no longer logged.
  s.queue.emit('queued', { path: '/x', bytes: 1, delayMs: 0 })
  t.notOk(s.lines.some(l => l.msg === 'upload queued'))
  // A new mount starts from its own queue.
  await s.attach()
  s.queue.set([])
  t.match(s.uploads.counts(), { queued: 0, failed: 0, inJournal: false })
})

t.test('a detach before the queue is ready wins; an unusable queue is logged', async t => {
  const s = setup()
  let ready!: (q: FakeUploadQueue) => void
  s.uploads.attach({ uploads: () => new Promise(r => (ready = r)) })
  s.uploads.detach()
  ready(s.queue)
  await settle()
  t.equal(s.uploads.attached, false)
  s.uploads.attach({ uploads: async () => Promise.reject(new Error('staging folder unusable')) })
  await settle()
  t.ok(s.lines.some(l => l.msg === 'upload queue unavailable: uploads of this mount cannot be shown' && l.err === 'staging folder unusable'))
})
