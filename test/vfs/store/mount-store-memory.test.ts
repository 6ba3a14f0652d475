import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'

const folder = { name: '', isDir: true, size: 0, mtimeMs: null, ctimeMs: null, etag: null }

t.test('releaseMemory empties the page cache and keeps every row; after close it does nothing', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-store-memory-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const store = MountStore.open(dir, 'http://bridge/f', silentLogger)
  const entries = Array.from({ length: 2000 }, (_, i) => ({ ...folder, name: `file ${i}.jpg`, isDir: false, size: i }))
  for (let i = 0; i < 20; i++) store.listings!.put({ path: `/f${i}`, self: { ...folder, name: `f${i}` }, entries, duplicateNames: [], fetchedAtMs: 1_000, stale: false })
  store.releaseMemory()
  t.equal(store.stats().warning, null, 'no failure reported')
  t.equal(store.listings!.get('/f19')?.entries.length, 2000, 'read back from the file')
  store.close()
  t.doesNotThrow(() => store.releaseMemory())
})
