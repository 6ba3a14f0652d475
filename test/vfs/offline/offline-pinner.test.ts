// Offline folders through the core: fetched whole without a read, progress
// as they fill, changes fetched again, everything readable with the bridge
// down, and pins that follow the profile's list.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { FakeRemote, patternBuffer, testOptions } from '../../helpers/fake-remote.js'
import { waitUntil } from '../../helpers/wait-until.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { readAll } from '../../helpers/read-file.js'

const MiB = 1024 * 1024

async function setup(t: Test, options: { diskCacheMaxBytes?: number } = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'megamount-offline-'))
  const remote = new FakeRemote()
  const time = new ManualTime()
  let current: { fs: MegaFs; store: MountStore } | null = null
  const stop = async () => {
    await current?.fs.close()
    current?.store.close()
    current = null
  }
  const mount = async (offlineFolders: string[], bridgeUp = true) => {
    await stop()
    const store = MountStore.open(stateDir, 'src', silentLogger)
    const coreOptions = testOptions({ diskCacheMaxBytes: options.diskCacheMaxBytes ?? 256 * MiB, cacheTtlMs: 60_000, offline: offlineFolders })
    const fs = new MegaFs({ remote, options: coreOptions, logger: silentLogger, time, stateDir, store })
    if (!bridgeUp) fs.setBridgeAvailable(false)
    current = { fs, store }
    return fs
  }
  t.teardown(async () => {
    await stop()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { remote, time, mount }
}

function addDocuments(remote: FakeRemote, count = 200): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    const path = `/Documents/${i % 3 === 0 ? 'sub/' : ''}doc${i}.bin`
    // Mostly small, one larger than a download piece.
    const content = patternBuffer(i === 7 ? 9 * MiB + 3 : 500 + i * 97, i + 1)
    remote.addFile(path, content)
    files.set(path, content)
  }
  remote.addFile('/Other/not-pinned.bin', patternBuffer(1000, 999))
  return files
}


const upToDate = (fs: MegaFs) => waitUntil('offline folders up to date', () => fs.stats().offline?.state === 'up to date', 20_000, 5)

t.test('an offline folder is fetched whole without any read, and reads with the bridge down', async t => {
  const { remote, mount } = await setup(t)
  const files = addDocuments(remote)
  const total = [...files.values()].reduce((a, c) => a + c.length, 0)
  let fs = await mount(['/Documents'])
  await upToDate(fs)
  t.match(fs.stats().offline, { folders: ['/Documents'], state: 'up to date', files: 200, bytes: total, pinnedFiles: 200, pinnedBytes: total, error: null })
  t.notOk(remote.reads.some(r => r.path.startsWith('/Other')), 'nothing outside the folder')
  t.equal(fs.stats().diskCacheBytes, total)

  fs = await mount(['/Documents'], false)
  const calls = remote.totalCalls()
  t.same((await fs.readdir('/')).names.sort(), ['Documents', 'Other'], 'the way there is browsable too')
  for (const [path, content] of files) if (!(await readAll(fs, path)).equals(content)) t.fail(`${path} differs`)
  t.equal(remote.totalCalls(), calls, 'all 200 read byte for byte without a request')
  t.match(fs.stats().offline, { state: 'waiting for the bridge', pinnedFiles: 200, pinnedBytes: total })
})

t.test('progress shows how far the download is; the bridge going down pauses it', async t => {
  const { remote, mount } = await setup(t)
  const files = addDocuments(remote, 30)
  remote.hang('read')
  const fs = await mount(['/Documents'])
  await waitUntil('downloading', () => fs.stats().offline?.state === 'downloading', 10_000, 5)
  t.match(fs.stats().offline, { files: 30, pinnedFiles: 0 }, 'every file known, none on disk yet')
  fs.setBridgeAvailable(false)
  await waitUntil('paused', () => fs.stats().offline?.state === 'waiting for the bridge', 10_000, 5)
  t.equal(fs.stats().offline?.error, null, 'waiting is not an error')
  remote.hang('read', false)
  fs.setBridgeAvailable(true)
  await upToDate(fs)
  t.equal(fs.stats().offline?.pinnedFiles, files.size)
})

t.test('a file changed on the server is fetched again at the next check; a removed one is dropped', async t => {
  const { remote, time, mount } = await setup(t)
  const files = addDocuments(remote, 20)
  const fs = await mount(['/Documents'])
  await upToDate(fs)
  const changed = patternBuffer(4321, 4242)
  remote.addFile('/Documents/doc1.bin', changed, 1_700_000_000_000)
  remote.nodes.delete('/Documents/doc2.bin')
  const before = fs.stats().diskCacheBytes
  await time.advance(60_000) // one listing TTL: the next check
  await upToDate(fs)
  await fs.readdir('/Documents')
  t.equal(fs.stats().offline?.files, 19)
  t.equal(fs.stats().diskCacheBytes, before - files.get('/Documents/doc1.bin')!.length - files.get('/Documents/doc2.bin')!.length + changed.length, 'old versions gone')
  fs.setBridgeAvailable(false)
  t.ok((await readAll(fs, '/Documents/doc1.bin')).equals(changed), 'the new content, with the bridge down')
})

t.test('while a later check runs, status keeps the last totals instead of counting from zero', async t => {
  const { remote, time, mount } = await setup(t)
  addDocuments(remote, 20)
  const fs = await mount(['/Documents'])
  await upToDate(fs)
  const done = fs.stats().offline!
  remote.hang('list')
  await time.advance(60_000) // one listing TTL: the next check starts and waits on its listing
  await waitUntil('checking', () => fs.stats().offline?.state === 'checking', 10_000, 5)
  t.match(fs.stats().offline, { files: 20, bytes: done.bytes, pinnedFiles: 20, pinnedBytes: done.pinnedBytes }, 'the totals of the finished check')
  remote.hang('list', false)
})

t.test('a folder taken off the list keeps its files as ordinary cache', async t => {
  const { remote, mount } = await setup(t)
  addDocuments(remote, 10)
  let fs = await mount(['/Documents'])
  await upToDate(fs)
  t.equal(fs.storeStats().pinnedFiles, 10)
  fs = await mount([])
  t.equal(fs.storeStats().pinnedFiles, 0, 'unpinned')
  t.ok(fs.storeStats().files >= 10, 'still cached')
  t.equal(fs.stats().offline, null)
})

t.test('without a disk cache, status says why nothing is kept offline', async t => {
  const { remote, mount } = await setup(t, { diskCacheMaxBytes: 0 })
  addDocuments(remote, 3)
  const fs = await mount(['/Documents'])
  t.match(fs.stats().offline, { state: 'failed', error: /diskCacheMaxBytes/ })
})

t.test('an offline folder that does not exist is reported', async t => {
  const { remote, mount } = await setup(t)
  addDocuments(remote, 3)
  const fs = await mount(['/Nope'])
  await waitUntil('failed', () => fs.stats().offline?.state === 'failed', 10_000, 5)
  t.match(fs.stats().offline?.error, /Nope/)
})
