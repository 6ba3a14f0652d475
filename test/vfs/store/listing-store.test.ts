import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import type { RemoteEntry } from '../../../src/remote/remote.js'
import type { StoredListing } from '../../../src/vfs/store/listing-store.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'

async function setup(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-listings-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const open = () => MountStore.open(dir, 'http://bridge/Handle/Photos', silentLogger)
  const store = open()
  t.teardown(() => store.close())
  return { store, listings: store.listings!, open }
}

const file = (name: string, size = 1, more: Partial<RemoteEntry> = {}): RemoteEntry => ({ name, isDir: false, size, mtimeMs: 1_600_000_000_000, ctimeMs: null, etag: null, ...more })
const folder = (name: string): RemoteEntry => ({ name, isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null })

function listing(path: string, entries: RemoteEntry[], fetchedAtMs = 1000): StoredListing {
  return { path, self: { ...folder(path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1)), ctimeMs: 5 }, entries, duplicateNames: [], fetchedAtMs, stale: false }
}

t.test('a listing comes back as it was stored: order, attributes, duplicates', async t => {
  const { listings, open, store } = await setup(t)
  const entries = [file('b.txt', 10, { etag: '"e1"', ctimeMs: 7 }), folder('a folder'), file('nön-ascii ✓ 日本語.txt', 3, { mtimeMs: null })]
  listings.put({ ...listing('/Photos', entries, 1234), duplicateNames: ['b.txt'] })
  store.close()
  const again = open()
  t.teardown(() => again.close())
  const back = again.listings!.get('/Photos')!
  t.same(back.entries, entries, 'entries in listing order, every attribute kept')
  t.same(back.duplicateNames, ['b.txt'])
  t.equal(back.fetchedAtMs, 1234)
  t.equal(back.stale, false)
  t.same(back.self, { name: 'Photos', isDir: true, size: 0, mtimeMs: null, ctimeMs: 5, etag: null })
  t.equal(again.listings!.get('/nothing'), undefined)
  t.same(again.listings!.fetchedAt('/Photos'), { fetchedAtMs: 1234, stale: false })
})

t.test('storing a listing again replaces it; folders gone from it lose their stored listings', async t => {
  const { listings } = await setup(t)
  listings.put(listing('/', [folder('keep'), folder('gone'), folder('now a file')]))
  listings.put(listing('/keep', [file('x')]))
  listings.put(listing('/gone', [folder('deep')]))
  listings.put(listing('/gone/deep', [file('y')]))
  listings.put(listing('/now a file', [file('z')]))
  listings.put(listing('/', [folder('keep'), file('now a file')], 2000))
  t.same(listings.get('/')!.entries.map(e => e.name), ['keep', 'now a file'])
  t.ok(listings.get('/keep'), 'a folder still there keeps its listing')
  t.equal(listings.get('/gone'), undefined, 'a removed folder is forgotten')
  t.equal(listings.get('/gone/deep'), undefined, 'with everything below it')
  t.equal(listings.get('/now a file'), undefined, 'a folder that became a file is forgotten')
  t.same(listings.stats(), { listings: 2, entries: 3, newestFetchMs: 2000 })
})

t.test('marking stale and deleting work on a folder and everything below it, not on its look-alikes', async t => {
  const { listings } = await setup(t)
  for (const path of ['/', '/a', '/a/b', '/a/b/c', '/ab', '/a0']) listings.put(listing(path, [file('f')]))
  listings.markStale('/a', { below: true })
  const stale = (path: string) => listings.fetchedAt(path)?.stale
  t.same(['/', '/a', '/a/b', '/a/b/c', '/ab', '/a0'].map(stale), [false, true, true, true, false, false])
  listings.markStale('/')
  t.equal(stale('/'), true, 'only the folder itself without below')
  t.equal(stale('/ab'), false)
  listings.put(listing('/a', [file('f')]))
  t.equal(stale('/a'), false, 'a new listing is not stale')
  listings.deleteTree('/a')
  t.same(['/', '/a', '/a/b', '/a/b/c', '/ab', '/a0'].map(p => listings.get(p) !== undefined), [true, false, false, false, true, true])
  listings.clear()
  t.same(listings.stats(), { listings: 0, entries: 0, newestFetchMs: null })
})

t.test('a store pointed at another folder starts empty', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-listings-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const first = MountStore.open(dir, '/Photos', silentLogger)
  first.listings!.put(listing('/', [file('photo.jpg')]))
  first.close()
  const same = MountStore.open(dir, '/Photos', silentLogger)
  t.equal(same.listings!.stats().entries, 1, 'the same folder keeps its tree')
  same.close()
  const other = MountStore.open(dir, '/Documents', silentLogger)
  t.teardown(() => other.close())
  t.equal(other.listings!.stats().entries, 0, 'another folder does not see it')
})

t.test('a database error while mounted turns the store off instead of failing the operation', async t => {
  const { store, listings } = await setup(t)
  listings.put(listing('/', [file('a')]))
  // Closing the database under the store makes every later call throw.
  ;(store as unknown as { close(): void }).close()
  t.equal(listings.get('/'), undefined, 'a read answers nothing')
  t.doesNotThrow(() => listings.put(listing('/', [file('b')])), 'a write is dropped')
  t.match(store.warning, /database connection is not open/)
})

t.test('a store that cannot be on disk is kept in memory, without listings', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-listings-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'a file'), 'not a folder')
  const store = MountStore.open(join(dir, 'a file', 'state'), 'src', silentLogger)
  t.teardown(() => store.close())
  t.equal(store.persistent, false)
  t.equal(store.listings, null)
  t.match(store.warning, /no store on disk/)
  t.equal(store.content.create('k', '/k', 10, false), 1, 'the cache index still works')
})
