import t from 'tap'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('status shows the upload queue and exits 1 while an upload has failed', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/a.jpg', bytes: 12_400_000, state: 'waiting' },
    { path: '/b.jpg', bytes: 2_000, state: 'ready' },
    { path: '/c.iso', bytes: 1_000_000, state: 'uploading', sentBytes: 450_000 },
  ])
  let r = await f.ctl(['status'])
  t.equal(r.code, 0, 'queued uploads are not a problem')
  t.match(r.stdout, /\nphotos\s+.*mounted.*\n    uploads: 2 queued \(12\.4 MB\), 1 uploading 45%\n$/)
  f.queue.set([...f.queue.items, { path: '/big.iso', bytes: 4_700_000_000, state: 'failed', error: { kind: 'no-space', status: 507, message: 'over quota' } }])
  r = await f.ctl(['status'])
  t.equal(r.code, 1, 'a failed upload makes status exit 1')
  t.match(r.stdout, /    uploads: 2 queued \(12\.4 MB\), 1 uploading 45%, 1 failed \(4\.7 GB\)\n    error: upload of \/big\.iso failed: no-space \(507\): over quota\n    fix:   the MEGA account is full.*mountctl retry photos; see them: mountctl uploads photos/)
  const j = JSON.parse((await f.ctl(['status', '--json'])).stdout)
  t.same(j.mounts[0].uploads, {
    queued: 2,
    queuedBytes: 12_402_000,
    uploading: 1,
    uploadingBytes: 1_000_000,
    sentBytes: 450_000,
    failed: 1,
    failedBytes: 4_700_000_000,
    paused: false,
    unmountWaiting: false,
    inJournal: false,
  })
  t.match(j.mounts[0].lastError, { message: /upload of \/big\.iso failed/ })
  f.queue.paused = true
  f.queue.set(f.queue.items.filter(i => i.state !== 'failed'))
  r = await f.ctl(['status'])
  t.equal(r.code, 0)
  t.match(r.stdout, /uploads: .*1 uploading 45%: held while the bridge is unreachable\n/)
})

t.test('status says which files were unfinished when the daemon stopped', async t => {
  const f = await mountctlFixture(t)
  f.queue.uploadedUnfinished = [{ path: '/new.txt', originalPath: null, bytes: 12 }]
  f.queue.set([{ path: '/report (unfinished 2026-11-29 14.03).pdf', bytes: 18_000_000, state: 'ready', unfinished: { originalPath: '/report.pdf' } }])
  const r = await f.ctl(['status'])
  t.equal(r.code, 0)
  t.match(r.stdout, /    uploads: 1 queued \(18\.0 MB\)\n/)
  t.match(r.stdout, /\n    unfinished: \/new\.txt \(new\) was still being written when the daemon stopped: uploaded as it is, check it is complete\n/)
  t.match(r.stdout, /\n    unfinished: \/report\.pdf was still being written when the daemon stopped: uploads as \/report \(unfinished 2026-11-29 14\.03\)\.pdf, the original is left as it was\n/)
  const j = JSON.parse((await f.ctl(['status', '--json'])).stdout)
  t.same(j.mounts[0].uploads.unfinished, [
    { path: '/new.txt', originalPath: null, bytes: 12, uploaded: true },
    { path: '/report (unfinished 2026-11-29 14.03).pdf', originalPath: '/report.pdf', bytes: 18_000_000, uploaded: false },
  ])
})

t.test('status counts entries left out of listings', async t => {
  const f = await mountctlFixture(t)
  let r = await f.ctl(['status'])
  t.notMatch(r.stdout, /names:/, 'nothing said when there are none')
  f.backend.fsByName.get('photos')!.unusableNames = 2
  r = await f.ctl(['status'])
  t.match(r.stdout, /\n    names: 2 entries left out: the server lists names or sizes that cannot be files here \(the daemon's log names them\)\n/)
  t.equal(JSON.parse((await f.ctl(['status', '--json'])).stdout).mounts[0].unusableNames, 2)
})
