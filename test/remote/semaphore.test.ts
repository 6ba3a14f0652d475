import t from 'tap'
import { Semaphore } from '../../src/remote/semaphore.js'

t.test('at most max holders; slots pass to waiters in order', async t => {
  const s = new Semaphore(2)
  const r1 = await s.acquire()
  const r2 = await s.acquire()
  t.equal(s.active, 2)
  const order: number[] = []
  const p3 = s.acquire().then(r => (order.push(3), r))
  const p4 = s.acquire().then(r => (order.push(4), r))
  await Promise.resolve()
  t.equal(s.waiting, 2)
  t.same(order, [])
  r1()
  r1() // a second call is ignored
  const r3 = await p3
  t.same(order, [3])
  t.equal(s.active, 2)
  r2()
  const r4 = await p4
  t.same(order, [3, 4])
  r3()
  r4()
  t.equal(s.active, 0)
  t.equal(s.waiting, 0)
})

t.test('abort while waiting leaves the queue', async t => {
  const s = new Semaphore(1)
  const r1 = await s.acquire()
  const ac = new AbortController()
  const p = s.acquire(ac.signal)
  ac.abort(new Error('gave up'))
  await t.rejects(p, { message: 'gave up' })
  t.equal(s.waiting, 0)
  r1()
  t.equal(s.active, 0)
  await t.rejects(s.acquire(AbortSignal.abort(new Error('already'))), { message: 'already' })
})

t.test('run releases on success and failure', async t => {
  const s = new Semaphore(1)
  t.equal(await s.run(async () => 5), 5)
  await t.rejects(s.run(async () => { throw new Error('boom') }), { message: 'boom' })
  t.equal(s.active, 0)
})

t.test('max must be a whole number of at least 1', async t => {
  t.throws(() => new Semaphore(0), RangeError)
  t.throws(() => new Semaphore(1.5), /maxConcurrentRequests/)
})
