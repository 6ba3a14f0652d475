import t from 'tap'
import type { RemoteEntry } from '../../../src/remote/remote.js'
import { nameOrder } from '../../../src/vfs/prefetch/listing-order.js'
import { MetadataCache, type FolderListing } from '../../../src/vfs/cache/metadata-cache.js'
import { silentLogger } from '../../../src/log.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { FakeRemote } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'

function listing(names: string[]): FolderListing {
  const entry = (name: string): RemoteEntry => ({ name, isDir: false, size: 1, mtimeMs: null, ctimeMs: null, etag: null })
  return {
    path: '/d',
    self: { ...entry(''), isDir: true },
    byName: new Map(names.map(n => [n, entry(n)])),
    names,
    duplicateNames: [],
    fetchedAtMs: 0,
    newestChildMs: null,
  }
}

t.test('each order of one listing', async t => {
  const l = listing(['img10.jpg', 'b.txt', 'img2.jpg', 'B.txt', 'a.txt'])
  t.same(nameOrder(l, 'listing').names, ['img10.jpg', 'b.txt', 'img2.jpg', 'B.txt', 'a.txt'], 'as the bridge listed them')
  t.same(nameOrder(l, 'codepoint').names, ['B.txt', 'a.txt', 'b.txt', 'img10.jpg', 'img2.jpg'], 'C locale glob')
  const locale = nameOrder(l, 'locale').names
  t.ok(locale.indexOf('a.txt') < locale.indexOf('B.txt'), 'locale collation ignores case first')
  t.same(nameOrder(l, 'natural').names.slice(3), ['img2.jpg', 'img10.jpg'], 'numbers by value')
  t.equal(nameOrder(l, 'natural').index.get('img10.jpg'), 4)
  t.equal(nameOrder(l, 'natural'), nameOrder(l, 'natural'), 'computed once per listing')
  t.equal(l.names.join(), 'img10.jpg,b.txt,img2.jpg,B.txt,a.txt', 'the listing itself is left as it is')
})

t.test('natural and locale orders without ICU: digit runs by value, case and accents set aside', async t => {
  const l = listing(['Photo 10.jpg', 'photo 9.jpg', 'Photo 009b.jpg', 'photo 1.jpg', 'Zebra', 'apple', 'Äpfel', 'été', 'etre', 'x02', 'x2', 'x1y'])
  t.same(nameOrder(l, 'natural').names, ['Äpfel', 'apple', 'été', 'etre', 'photo 1.jpg', 'photo 9.jpg', 'Photo 009b.jpg', 'Photo 10.jpg', 'x1y', 'x02', 'x2', 'Zebra'])
  t.same(nameOrder(l, 'locale').names, ['Äpfel', 'apple', 'été', 'etre', 'Photo 009b.jpg', 'photo 1.jpg', 'Photo 10.jpg', 'photo 9.jpg', 'x02', 'x1y', 'x2', 'Zebra'])
})

t.test('a listing the mount changed in place (its own create, rename, delete) is ordered anew', async t => {
  // Seen through fuse-native: `mv -T moved dst` then `ls dst` failed with EIO,
  // the folder prefetch walking a sorted copy that still held a removed name.
  const remote = new FakeRemote()
  for (const name of ['c', 'a', 'b']) remote.addFolder(`/d/${name}`)
  const cache = new MetadataCache({ remote, gate: new BridgeGate(), clock: new ManualTime(), logger: silentLogger, ttlMs: 60_000, negativeTtlMs: 30_000, maxEntries: 100 })
  const l = await cache.listFolder('/d')
  t.same(nameOrder(l, 'codepoint').names, ['a', 'b', 'c'])
  t.same(nameOrder(l, 'listing').names, ['c', 'a', 'b'])
  cache.applyChange('/d/a', null)
  cache.applyChange('/d/e', { name: 'e', isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null })
  const after = await cache.listFolder('/d')
  for (const kind of ['listing', 'codepoint', 'locale', 'natural'] as const) {
    const order = nameOrder(after, kind)
    t.same([...order.names].sort(), ['b', 'c', 'e'], `${kind}: the names the folder has now`)
    t.ok(order.names.every(n => after.byName.has(n)), `${kind}: every name is in the listing`)
  }
})
