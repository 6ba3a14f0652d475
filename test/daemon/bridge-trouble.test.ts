import t from 'tap'
import { TroubleWatchingRemote, isBridgeTrouble } from '../../src/daemon/bridge-trouble.js'
import { RemoteError } from '../../src/remote/remote.js'
import { FakeRemote } from '../helpers/fake-remote.js'

t.test('only refused, reset or timed-out requests count as bridge trouble', async t => {
  t.ok(isBridgeTrouble(new RemoteError('bridge-down', 'refused')))
  t.ok(isBridgeTrouble(new RemoteError('timeout', 'no answer')))
  for (const kind of ['not-found', 'root-missing', 'busy', 'no-space', 'other'] as const) {
    t.notOk(isBridgeTrouble(new RemoteError(kind, kind)), kind)
  }
  t.notOk(isBridgeTrouble(new Error('abort')))
})

t.test('every call is passed through; trouble is reported and still thrown', async t => {
  const inner = new FakeRemote().addFolder('/A').addFile('/A/f.txt', 'hello')
  const seen: string[] = []
  const remote = new TroubleWatchingRemote(inner, err => seen.push(err.kind))
  t.same((await remote.list('/A')).entries.map(e => e.name), ['f.txt'])
  t.equal((await remote.stat('/A/f.txt')).size, 5)
  t.equal((await remote.read('/A/f.txt', 1, 3)).toString(), 'ell')
  t.equal(await remote.quota(), null)
  t.equal(inner.calls.quota, 1)
  t.same(seen, [], 'no trouble on success')

  const kindOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: RemoteError) => e.kind)
  inner.failWith('read', 'bridge-down')
  t.equal(await kindOf(remote.read('/A/f.txt', 0, 5)), 'bridge-down', 'still thrown')
  inner.failWith('list', 'not-found')
  t.equal(await kindOf(remote.list('/nope')), 'not-found')
  inner.failWith('stat', 'timeout')
  t.equal(await kindOf(remote.stat('/A')), 'timeout')
  t.same(seen, ['bridge-down', 'timeout'], 'a 404 is not trouble with the bridge')
})

t.test('streams are passed through, and a take that finds the bridge down reports it', async t => {
  const seen: string[] = []
  const plain = new TroubleWatchingRemote(new FakeRemote(), err => seen.push(err.kind))
  t.equal(plain.openStream('/f', 0, 10), null, 'none from a remote without streams')
  let taken = 0
  const inner = Object.assign(new FakeRemote(), {
    openStream: (_path: string, offset: number, length: number) => ({
      position: offset + taken,
      end: offset + length,
      closed: false,
      take: async (n: number) => {
        if (taken > 0) throw new RemoteError('bridge-down', 'refused')
        taken += n
        return Buffer.alloc(n, 7)
      },
      close: () => {},
    }),
  })
  const remote = new TroubleWatchingRemote(inner, err => seen.push(err.kind))
  const stream = remote.openStream('/f', 100, 50)!
  t.equal(stream.end, 150)
  t.same(await stream.take(10), Buffer.alloc(10, 7))
  await t.rejects(stream.take(10), { kind: 'bridge-down', message: 'refused' })
  t.same(seen, ['bridge-down'])
})
