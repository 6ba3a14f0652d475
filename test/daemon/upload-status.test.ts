import t from 'tap'
import { emptyUploadCounts } from '../../src/control/wire-types.js'
import { explainFailedUploads, uploadCounts, uploadItems } from '../../src/daemon/upload-status.js'
import type { UploadSnapshot } from '../../src/vfs/write/upload-view.js'

const snap: UploadSnapshot = {
  queued: [
    { path: '/open.txt', bytes: 10, state: 'open', attempts: 0, nextAttemptMs: null, error: null },
    { path: '/later.txt', bytes: 20, state: 'waiting', attempts: 2, nextAttemptMs: Date.UTC(2025, 0, 1, 12, 0, 5), error: { kind: 'other', status: 500, message: 'boom' } },
  ],
  uploading: [{ path: '/big.iso', bytes: 1000, sentBytes: 450 }],
  failed: [
    { path: '/full.bin', bytes: 5000, attempts: 1, error: { kind: 'no-space', status: 507, message: 'over quota' } },
    { path: '/other.bin', bytes: 7, attempts: 5, error: { kind: 'other', status: 500, message: 'boom' } },
  ],
  totals: { queuedBytes: 30, uploadingBytes: 1000, failedBytes: 5007, count: 5 },
  paused: true,
}

t.test('counts: the status fields', async t => {
  t.same(uploadCounts(snap), { queued: 2, queuedBytes: 30, uploading: 1, uploadingBytes: 1000, sentBytes: 450, failed: 2, failedBytes: 5007, paused: true, unmountWaiting: false, inJournal: false })
  t.same(emptyUploadCounts(), { queued: 0, queuedBytes: 0, uploading: 0, uploadingBytes: 0, sentBytes: 0, failed: 0, failedBytes: 0, paused: false, unmountWaiting: false, inJournal: false })
})

t.test('items: one row per file, uploading first, failed last', async t => {
  const items = uploadItems('photos', snap)
  t.same(items.map(i => [i.path, i.state, i.detail]), [
    ['/big.iso', 'uploading', null],
    ['/open.txt', 'queued', 'open'],
    ['/later.txt', 'queued', 'waiting'],
    ['/full.bin', 'failed', null],
    ['/other.bin', 'failed', null],
  ])
  t.match(items[0], { mount: 'photos', bytes: 1000, sentBytes: 450 })
  t.match(items[2], { attempts: 2, lastError: 'other (500): boom', errorKind: 'other', nextAttemptAt: '2025-01-01T12:00:05.000Z' })
  t.match(items[3], { attempts: 1, lastError: 'no-space (507): over quota', errorKind: 'no-space', nextAttemptAt: null })
})

t.test('failed uploads become an error that says what to do', async t => {
  t.equal(explainFailedUploads('photos', { ...snap, failed: [] }), null)
  const full = explainFailedUploads('photos', snap)!
  t.equal(full.message, 'upload of /full.bin failed (and 1 more): no-space (507): over quota')
  t.match(full.hint, /account is full.*mountctl retry photos; see them: mountctl uploads photos; or drop one: mountctl discard photos PATH/)
  const denied = explainFailedUploads('p', { ...snap, failed: [{ path: '/x', bytes: 1, attempts: 1, error: { kind: 'forbidden', status: 403, message: 'no' } }] })!
  t.equal(denied.message, 'upload of /x failed: forbidden (403): no')
  t.match(denied.hint, /refused access.*mountctl retry p/)
  const other = explainFailedUploads('p', { ...snap, failed: [snap.failed[1]!] })!
  t.match(other.hint, /^try again: mountctl retry p/)
  const incomplete = explainFailedUploads('p', { ...snap, failed: [{ path: '/cut.bin', bytes: 9, attempts: 0, error: { kind: 'incomplete', message: '100 bytes could not be written' } }] })!
  t.match(incomplete.hint, /^free space on the disk that holds the daemon's state folder, then write the file again.*mountctl discard p \/cut\.bin/)
  t.notMatch(incomplete.hint, /retry/, 'a retry would upload content that is not what was written')
})
