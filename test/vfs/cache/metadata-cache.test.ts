import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { MetadataCache } from '../../../src/vfs/cache/metadata-cache.js'
import { FakeRemote } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { waitUntil } from '../../helpers/wait-until.js'

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
  // An `ls` that started before an upload ended must show the file too: its
  // staged copy is gone once the upload ended (seen in CI: a.txt missing).
  t.ok((await before).byName.has('new.txt'), 'the first caller does not get the answer that predates the change')
  t.ok((await cache.listFolder('/a')).byName.has('new.txt'), 'and the old answer did not replace the new one')
  t.equal(remote.calls.list, 2, 'the first caller took the answer cached meanwhile')
})

t.test('a caller of an overtaken listing asks again; a lookup never takes it for "missing"', async t => {
  const { remote, cache } = setup(1000)
  const list = remote.list.bind(remote)
  const releases: (() => void)[] = []
  remote.list = async (path, options) => {
    const answer = await list(path, options)
    await new Promise<void>(resolve => releases.push(resolve))
    return answer
  }
  // The requests are in this process: a few turns of the event loop.
  const requested = () => waitUntil('a listing request', () => releases.length > 0, 2_000, 1)
  const looking = cache.lookup('/a/new.txt')
  await requested()
  remote.addFile('/a/new.txt', 'uploaded just now')
  cache.invalidate('/a/new.txt')
  releases.shift()!() // the answer from before the upload: asked again
  await requested()
  releases.shift()!()
  t.match(await looking, { name: 'new.txt' }, 'found in the second answer')
  t.equal(remote.calls.list, 2)

  // A folder that changes during every answer still gets one, after a few tries.
  const endless = cache.lookup('/b/later.txt')
  for (let i = 0; i < 4; i++) {
    await requested()
    cache.invalidate('/b/x')
    releases.shift()!()
  }
  t.equal(await endless, null, 'not there')
  t.equal(cache.knownKind('/b/later.txt'), 'unknown', 'but not remembered as missing on an overtaken answer')
  t.equal(remote.calls.list, 6, 'four requests, then the last answer is used')
})

t.test('uploads that end while a listing is in flight are in its answer, with no request again', async t => {
  const { remote, cache } = setup(1000)
  const list = remote.list.bind(remote)
  // An `ls` during a copy in: every answer the server gives is overtaken by
  // one more upload ending (whose staged copy is gone by then), and a file
  // removed.
  let uploads = 0
  remote.list = async (path, options) => {
    const answer = await list(path, options)
    const name = `copied-${uploads++}.txt`
    remote.addFile(`/a/${name}`, 'x')
    cache.applyChange(`/a/${name}`, { name, isDir: false, size: 1, mtimeMs: 1_000, ctimeMs: 1_000, etag: null })
    if (uploads === 1) {
      remote.nodes.delete('/a/f0')
      cache.applyChange('/a/f0', null)
    }
    return answer
  }
  const names = (await cache.listFolder('/a')).names
  t.ok(uploads > 0)
  for (let i = 0; i < uploads; i++) t.ok(names.includes(`copied-${i}.txt`), `copied-${i}.txt, uploaded while listing, is listed`)
  t.notOk(names.includes('f0'), 'a name removed meanwhile is gone')
  t.equal(remote.calls.list, 1, 'one request: the changes were applied to its answer')
  const again = await cache.listFolder('/a')
  t.ok(again.byName.has('copied-0.txt') && !again.byName.has('f0'), 'the cached answer has them too')
  t.equal(remote.calls.list, 1)
})
