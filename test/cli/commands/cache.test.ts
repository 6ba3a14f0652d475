import path from 'node:path'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { mountctlFixture, URL_A } from '../mountctl-fixture.js'

async function withStore(t: Parameters<typeof mountctlFixture>[0]) {
  const f = await mountctlFixture(t)
  f.backend.storeDir = path.join(f.dir, 'stores')
  const store = MountStore.open(path.join(f.backend.storeDir, 'photos'), URL_A, silentLogger)
  const entries = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, isDir: false, size: 10, mtimeMs: null, ctimeMs: null, etag: null }))
  store.listings!.put({ path: '/', self: { name: '', isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null }, entries, duplicateNames: [], fetchedAtMs: Date.now() - 3 * 3600_000, stale: false })
  const id = store.content.create('k', '/f0', 1000, true)!
  store.content.addBlocks(id, [[0, 1]], 1000)
  store.close()
  return f
}

t.test('cache NAME shows the tree and the content kept on disk', async t => {
  const f = await withStore(t)
  const r = await f.ctl(['cache', 'photos'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^photos: mounted\n  store: +.*store\.db \(\d+(\.\d)? kB\)\n/)
  t.match(r.stdout, /\n  tree: +1 folders, 3 entries, as of \d{4}-\d\d-\d\d \d\d:\d\d UTC \(3 h ago\)\n/)
  t.match(r.stdout, /\n  content: +1 files, 1\.0 kB on disk in .*cache \(limit 2\.1 GB\), 1 of them pinned for offline use \(1\.0 kB\)\n/)
  const j = JSON.parse((await f.ctl(['cache', 'photos', '--json'])).stdout)
  t.match(j, { name: 'photos', state: 'mounted', cleared: false, store: { listings: 1, entries: 3, files: 1, bytes: 1000, pinnedFiles: 1, persistent: true } })
})

t.test('cache clear NAME empties it', async t => {
  const f = await withStore(t)
  const r = await f.ctl(['cache', 'clear', 'photos'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^photos: emptied; what is shown next is listed and fetched again\n/)
  t.match(r.stdout, /\n  tree: +nothing stored yet\n  content: +0 files, 0 bytes/)
})

t.test('a wrong action or profile says what to do', async t => {
  const f = await withStore(t)
  const wrong = await f.ctl(['cache', 'wipe', 'photos'])
  t.equal(wrong.code, 2)
  t.match(wrong.stderr, /unknown action "wipe"/)
  const unknown = await f.ctl(['cache', 'nope'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /nope/)
})
