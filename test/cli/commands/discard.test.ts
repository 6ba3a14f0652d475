import t from 'tap'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('discard asks first, says what is lost, needs --yes without a terminal', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/big.iso', bytes: 4_700_000_000, state: 'failed', error: { kind: 'no-space', status: 507, message: 'over quota' } },
    { path: '/b.txt', bytes: 10, state: 'ready' },
  ])
  let r = await f.ctl(['discard', 'photos', '/big.iso'])
  t.equal(r.code, 1)
  t.equal(r.stderr, 'mountctl discard: this deletes the staged copy of /big.iso (4.7 GB, failed: no-space (507): over quota) and cannot be undone; add --yes to confirm\n')
  t.same(f.queue.discarded, [])

  r = await f.ctl(['discard', 'photos', '/big.iso'], { answers: [false] })
  t.equal(r.code, 1)
  t.same(r.questions, ['Discard the upload of /big.iso (4.7 GB, failed: no-space (507): over quota) from photos?\nIts staged copy is deleted and this content never reaches MEGA. [y/N] '])
  t.equal(r.stdout, 'Nothing discarded.\n')
  t.same(f.queue.discarded, [])

  r = await f.ctl(['discard', 'photos', '/big.iso'], { answers: [true] })
  t.equal(r.code, 0)
  t.equal(r.stdout, 'photos: discarded /big.iso (4.7 GB); its staged copy is deleted\n')
  t.same(f.queue.discarded, ['/big.iso'])

  r = await f.ctl(['discard', 'photos', 'b.txt', '--yes'])
  t.equal(r.code, 0)
  t.same(f.queue.discarded, ['/big.iso', '/b.txt'])

  r = await f.ctl(['discard', 'photos', '/nope', '--yes'])
  t.equal(r.code, 1)
  t.match(r.stderr, /photos: no upload of \/nope\n  fix: see the paths: mountctl uploads photos/)
})
