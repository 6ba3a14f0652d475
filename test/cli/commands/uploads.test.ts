import t from 'tap'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('uploads: file by file, JSON, exit 1 with a failed one', async t => {
  const f = await mountctlFixture(t)
  let r = await f.ctl(['uploads'])
  t.equal(r.code, 0)
  t.equal(r.stdout, 'Nothing to upload: everything written has reached MEGA.\n')
  r = await f.ctl(['uploads', 'photos'])
  t.equal(r.stdout, 'Nothing to upload on photos: everything written has reached MEGA.\n')
  f.queue.set([
    { path: '/c.iso', bytes: 1_000_000, state: 'uploading', sentBytes: 450_000 },
    { path: '/open.txt', bytes: 5, state: 'open' },
    { path: '/retry.txt', bytes: 1_500, state: 'waiting', attempts: 2, error: { kind: 'other', status: 500, message: 'boom' }, nextAttemptMs: Date.now() + 30_000 },
    { path: '/big.iso', bytes: 4_700_000_000, state: 'failed', attempts: 1, error: { kind: 'no-space', status: 507, message: 'over quota' } },
  ])
  r = await f.ctl(['uploads'])
  t.equal(r.code, 1)
  const lines = r.stdout.split('\n')
  t.match(lines[0], /^MOUNT\s+PATH\s+STATE\s+SIZE\s+PROGRESS\s+ATTEMPTS\s+NEXT TRY$/)
  t.match(lines[1], /^photos\s+\/c\.iso\s+uploading\s+1\.0 MB\s+45%\s+0\s+-$/)
  t.match(lines[2], /^photos\s+\/open\.txt\s+queued \(file open\)\s+5 bytes\s+-\s+0\s+-$/)
  t.match(lines[3], /^photos\s+\/retry\.txt\s+queued \(retry\)\s+1\.5 kB\s+-\s+2\s+in (29|30) s$/)
  t.equal(lines[4], '    last error: other (500): boom')
  t.match(lines[5], /^photos\s+\/big\.iso\s+failed\s+4\.7 GB\s+-\s+1\s+-$/)
  t.equal(lines[6], '    error: no-space (507): over quota')
  r = await f.ctl(['uploads', '--json'])
  const j = JSON.parse(r.stdout)
  t.equal(j.uploads.length, 4)
  t.match(j.uploads[3], { mount: 'photos', path: '/big.iso', state: 'failed', bytes: 4_700_000_000, attempts: 1, lastError: 'no-space (507): over quota', errorKind: 'no-space', nextAttemptAt: null })
  r = await f.ctl(['uploads', 'nope'])
  t.equal(r.code, 1)
  t.match(r.stderr, /no profile named "nope"/)
})

t.test('uploads marks unfinished files and names the original left alone', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/report (unfinished 2026-11-29 14.03).pdf', bytes: 5, state: 'ready', unfinished: { originalPath: '/report.pdf' } },
    { path: '/new.txt', bytes: 5, state: 'uploading', unfinished: { originalPath: null } },
  ])
  const r = await f.ctl(['uploads'])
  const lines = r.stdout.split('\n')
  t.match(lines[1], /^photos\s+\/new\.txt\s+uploading unfinished\s+5 bytes/)
  t.equal(lines[2], '    unfinished: a new file still being written when the daemon stopped; uploaded as it is')
  t.match(lines[3], /^photos\s+\/report \(unfinished 2026-11-29 14\.03\)\.pdf\s+queued unfinished\s+5 bytes/)
  t.equal(lines[4], '    unfinished: still being written when the daemon stopped; /report.pdf is left as it was')
  const j = JSON.parse((await f.ctl(['uploads', '--json'])).stdout)
  t.same(j.uploads.map((u: { unfinished?: unknown }) => u.unfinished), [{ originalPath: null }, { originalPath: '/report.pdf' }])
})
