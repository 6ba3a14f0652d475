import t from 'tap'
import type { RemoteEntry } from '../../../src/remote/remote.js'
import { nameOrder } from '../../../src/vfs/prefetch/listing-order.js'
import type { FolderListing } from '../../../src/vfs/cache/metadata-cache.js'

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
