import t from 'tap'
import { silentLogger } from '../../src/log.js'
import { BridgeGate } from '../../src/vfs/bridge-gate.js'
import { MetadataCache } from '../../src/vfs/metadata-cache.js'
import { FakeRemote, ManualClock } from '../helpers/fake-remote.js'

function setup(maxEntries: number) {
  const remote = new FakeRemote()
  for (const folder of ['/a', '/b', '/c']) for (let i = 0; i < 4; i++) remote.addFile(`${folder}/f${i}`, 'x')
  remote.addFolder('/big')
  for (let i = 0; i < 30; i++) remote.addFile(`/big/f${i}`, 'x')
  const cache = new MetadataCache({ remote, gate: new BridgeGate(), clock: new ManualClock(), logger: silentLogger, ttlMs: 60_000, negativeTtlMs: 30_000, maxEntries })
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
