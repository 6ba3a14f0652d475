import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { MetadataCache } from '../../../src/vfs/cache/metadata-cache.js'
import { FakeRemote } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'

function setup(maxEntries: number) {
  const remote = new FakeRemote()
  for (const folder of ['/a', '/b', '/c']) for (let i = 0; i < 4; i++) remote.addFile(`${folder}/f${i}`, 'x')
  remote.addFolder('/big')
  for (let i = 0; i < 30; i++) remote.addFile(`/big/f${i}`, 'x')
  const cache = new MetadataCache({ remote, gate: new BridgeGate(), clock: new ManualTime(), logger: silentLogger, ttlMs: 60_000, negativeTtlMs: 30_000, maxEntries })
  return { remote, cache }
}

t.test('the bound counts listed entries, not listings', async t => {
  const { remote, cache } = setup(10)
  // Each listing of 4 files counts 5: two fit in 10, a third evicts the oldest.
  await cache.listFolder('/a')
  await cache.listFolder('/b')
  await cache.listFolder('/c')
  t.equal(remote.calls.list, 3)
  await cache.listFolder('/c')
  await cache.listFolder('/b')
  t.equal(remote.calls.list, 3, '/b and /c are still cached')
  await cache.listFolder('/a')
  t.equal(remote.calls.list, 4, '/a was evicted to stay within 10 entries')
})

t.test('a folder larger than the whole bound is still cached, alone', async t => {
  const { remote, cache } = setup(10)
  await cache.listFolder('/a')
  await cache.listFolder('/big')
  await cache.listFolder('/big')
  t.equal(remote.calls.list, 2, 'the 30-entry listing answers again from the cache')
  await cache.listFolder('/a')
  t.equal(remote.calls.list, 3, 'it took the whole bound')
})

t.test('a listing in flight when the folder changes is neither joined nor cached', async t => {
  const { remote, cache } = setup(1000)
  // The first answer is held back until the change below has happened: it
  // describes the folder as it was when it was asked for.
  const list = remote.list.bind(remote)
  let releaseFirst!: () => void
  const held = new Promise<void>(resolve => (releaseFirst = resolve))
  let first = true
  remote.list = async (path, options) => {
    const answer = await list(path, options)
    if (first) {
      first = false
      await held
    }
    return answer
  }
  const before = cache.listFolder('/a')
  await new Promise(resolve => setImmediate(resolve))
  remote.addFile('/a/new.txt', 'uploaded just now')
  cache.invalidate('/a/new.txt') // as an upload's completion does
  const after = await cache.listFolder('/a')
  t.ok(after.byName.has('new.txt'), 'a caller after the change gets a new answer')
  releaseFirst()
  t.notOk((await before).byName.has('new.txt'), 'the first caller gets the answer it asked for')
  t.ok((await cache.listFolder('/a')).byName.has('new.txt'), 'and the old answer did not replace the new one')
  t.equal(remote.calls.list, 2)
})
