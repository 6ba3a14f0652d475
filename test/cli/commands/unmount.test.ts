import t from 'tap'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('unmount waits for uploads, showing progress in place on a terminal', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/a.bin', bytes: 2_000_000, state: 'uploading', sentBytes: 500_000 },
    { path: '/b.bin', bytes: 1_000_000, state: 'ready' },
  ])
  let finished = false
  const r = await f.ctl(['unmount', 'photos'], { tty: true }, out => {
    if (!finished && out.includes('left')) {
      finished = true
      t.same([...f.backend.mounted.values()], ['photos'], 'mounted while it waits')
      // The uploads end once this output is handled; mountctl sees it at its next poll.
      setImmediate(() => f.queue.finishAll())
    }
  })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^\r\x1b\[Kphotos: uploading before unmount: 2 files left, 2\.5 MB left \(1 uploading 25%\)/)
  t.notMatch(r.stdout, /\n\r/, 'rewritten in place, not line by line')
  t.match(r.stdout, /\nphotos: unmounted\n$/)
  t.same([...f.backend.mounted.values()], [])
})

t.test('unmount without a terminal prints plain lines when files are left; nothing when the queue is empty', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([{ path: '/a.bin', bytes: 1_000, state: 'uploading' }, { path: '/b.bin', bytes: 1_000, state: 'ready' }])
  let step = 0
  const r = await f.ctl(['unmount', 'photos'], {}, out => {
    if (step === 0 && out.includes('2 files left')) {
      step = 1
      f.queue.paused = true
      f.queue.set([{ path: '/b.bin', bytes: 1_000, state: 'ready' }])
    } else if (step === 1 && out.includes('1 file left')) {
      step = 2
      // The uploads end once this output is handled; mountctl sees it at its next poll.
      setImmediate(() => f.queue.finishAll())
    }
  })
  t.equal(r.code, 0)
  const lines = r.stdout.split('\n')
  t.same(lines, [
    'photos: uploading before unmount: 2 files left, 2.0 kB left (1 uploading 0%)',
    'photos: uploading before unmount: 1 file left, 1.0 kB left; the bridge is unreachable: waiting for it',
    'photos: unmounted',
    '',
  ])
  const again = await f.ctl(['mount', 'photos'])
  t.equal(again.code, 0)
  f.backend.queues.get('photos')!.set([])
  const quick = await f.ctl(['unmount', 'photos'])
  t.equal(quick.stdout, 'photos: unmounted\n')
})

t.test('unmount stops at a failed upload; --force unmounts and says what stays in the journal', async t => {
  const f = await mountctlFixture(t)
  f.queue.set([
    { path: '/f.bin', bytes: 3_000, state: 'failed' },
    { path: '/q.bin', bytes: 2_000_000, state: 'ready' },
  ])
  let r = await f.ctl(['unmount', 'photos'])
  t.equal(r.code, 1)
  t.match(r.stderr, /mountctl unmount: "photos" has 1 failed upload \(data not on MEGA yet\): not unmounting\n  fix: see them: mountctl uploads photos; .*mountctl unmount --force photos/)
  t.same([...f.backend.mounted.values()], ['photos'])
  r = await f.ctl(['unmount', '--force', 'photos'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^photos: unmounted\n  error: 1 failed upload kept in the journal\n  fix: .*\n  1 upload \(2\.0 MB\) and 1 failed \(3\.0 kB\) stay in the journal: they upload after mountctl mount photos\n$/)
  t.same([...f.backend.mounted.values()], [])
})
