import path from 'node:path'
import t from 'tap'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('retry: all failed uploads of a mount, or one path', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/a.txt', bytes: 1, state: 'failed' },
    { path: '/b/c.txt', bytes: 1, state: 'failed' },
    { path: '/d.txt', bytes: 1, state: 'failed' },
  ])
  let r = await f.ctl(['retry', 'photos', path.join(f.mountpoint, 'b', 'c.txt')])
  t.equal(r.code, 0)
  t.equal(r.stdout, 'photos: retrying 1 upload now; follow them with: mountctl uploads photos\n')
  r = await f.ctl(['retry', 'photos'])
  t.equal(r.stdout, 'photos: retrying 2 uploads now; follow them with: mountctl uploads photos\n')
  t.same(f.queue.retried, ['/b/c.txt', undefined])
  r = await f.ctl(['retry', 'photos'])
  t.equal(r.code, 1)
  t.equal(r.stderr, 'mountctl retry: photos: no failed uploads to retry\n  fix: see what is queued: mountctl uploads photos\n')
  r = await f.ctl(['retry'])
  t.equal(r.code, 2)
})
