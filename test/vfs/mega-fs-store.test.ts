// The core with a persistent store, mount after mount: the stored tree and
// content come back with the bridge down, content changed on the server
// while the mount was away is never served from its old bytes, and bytes
// damaged on disk are fetched again.
import { constants as fsConstants } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { silentLogger } from '../../src/log.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { MountStore } from '../../src/vfs/store/mount-store.js'
import { FakeRemote, patternBuffer, testOptions } from '../helpers/fake-remote.js'
import { ManualTime, settleUntil } from '../helpers/manual-time.js'
import { waitUntil } from '../helpers/wait-until.js'
import { readAll } from '../helpers/read-file.js'

const KiB = 1024
const MiB = 1024 * KiB

async function setup(t: Test) {
  const stateDir = await mkdtemp(join(tmpdir(), 'megamount-fs-store-'))
  const remote = new FakeRemote()
  const time = new ManualTime()
  let current: { fs: MegaFs; store: MountStore } | null = null
  const stop = async () => {
    await current?.fs.close()
    current?.store.close()
    current = null
  }
  /** Stops the running mount, if any, and starts a new one on the same state folder. */
  const mount = async (bridgeUp = true) => {
    await stop()
    const store = MountStore.open(stateDir, 'http://bridge/H/Drive', silentLogger)
    const fs = new MegaFs({ remote, options: testOptions({ diskCacheMaxBytes: 512 * MiB }), logger: silentLogger, time, stateDir, store })
    if (!bridgeUp) fs.setBridgeAvailable(false)
    current = { fs, store }
    return fs
  }
  t.teardown(async () => {
    await stop()
    await rm(stateDir, { recursive: true, force: true })
  })
  return { remote, time, mount, stateDir }
}


async function tree(fs: MegaFs, path = '/'): Promise<string[]> {
  const out: string[] = []
  const { names, attrs } = await fs.readdir(path)
  for (let i = 0; i < names.length; i++) {
    const child = path === '/' ? `/${names[i]}` : `${path}/${names[i]}`
    out.push(`${child} ${attrs[i]!.size}`)
    if ((attrs[i]!.mode & 0o040000) !== 0) out.push(...(await tree(fs, child)))
  }
  return out.sort()
}

function addTree(remote: FakeRemote): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (let d = 0; d < 5; d++) {
    for (let f = 0; f < 10; f++) {
      const path = `/docs/d${d}/f${f}.bin`
      const content = patternBuffer(1000 + d * 70_000 + f * 13_000, d * 10 + f + 1)
      remote.addFile(path, content)
      files.set(path, content)
    }
  }
  return files
}

const until = (what: string, check: () => boolean) => waitUntil(what, check, 10_000, 5)

t.test('with the bridge down, the next mount shows the stored tree and reads what was read', async t => {
  const { remote, time, mount } = await setup(t)
  const files = addTree(remote)
  let fs = await mount()
  const seen = await tree(fs)
  const read = [...files.keys()].slice(0, 20) // the folders d0 and d1
  for (const path of read) t.ok((await readAll(fs, path)).equals(files.get(path)!), `first read of ${path}`)
  const bytes = read.reduce((a, p) => a + files.get(p)!.length, 0)
  // Small-file prefetch may have fetched more of those folders.
  await until('every read file on disk', () => fs.stats().diskCacheBytes >= bytes)
  const listedAt = time.now()

  await time.advance(12 * 3600_000)
  fs = await mount(false)
  const calls = remote.totalCalls()
  t.same(await tree(fs), seen, 'the whole tree, as it was')
  for (const path of read) t.ok((await readAll(fs, path)).equals(files.get(path)!), `${path} byte for byte from disk`)
  const unread = '/docs/d4/f3.bin'
  const h = await fs.open(unread, fsConstants.O_RDONLY)
  await t.rejects(h.read(Buffer.alloc(10), 10, 0), { code: 'EHOSTDOWN' }, 'a file never read fails at once')
  await h.release()
  t.equal(remote.totalCalls(), calls, 'not one request')
  t.equal(fs.stats().storedTreeAtMs, listedAt, 'the tree is as of the last listing')
})

t.test('files changed on the server while the mount was away are read new, never old', async t => {
  const { remote, time, mount } = await setup(t)
  const files = addTree(remote)
  let fs = await mount()
  const paths = [...files.keys()].slice(0, 20)
  for (const path of paths) await readAll(fs, path)
  await until('on disk', () => fs.stats().diskCacheBytes === paths.reduce((a, p) => a + files.get(p)!.length, 0))
  await tree(fs)

  // While stopped: 5 files change (some keep their size), one is added, one removed.
  const changed = paths.slice(0, 5)
  changed.forEach((path, i) => {
    const old = files.get(path)!
    const next = patternBuffer(i % 2 === 0 ? old.length : old.length + 5, 1000 + i)
    remote.addFile(path, next, 1_700_000_000_000 + i)
    files.set(path, next)
  })
  remote.addFile('/docs/d0/added.txt', 'new')
  remote.nodes.delete('/docs/d3/f9.bin')
  await time.advance(3600_000)

  fs = await mount()
  const listed = new Set<string>()
  fs.watch(change => void (change.kind === 'listed' && listed.add(change.path)))
  for (const path of changed) t.ok((await readAll(fs, path)).equals(files.get(path)!), `${path}: the new content`)
  for (const path of paths.slice(5)) t.ok((await readAll(fs, path)).equals(files.get(path)!), `${path}: unchanged`)
  // The first look at a folder shows its stored listing and lists it again
  // behind; the next look shows the server's.
  await tree(fs)
  await settleUntil('the changed folders listed behind', () => listed.has('/docs/d0') && listed.has('/docs/d3'))
  const listing = await tree(fs)
  t.ok(listing.includes('/docs/d0/added.txt 3'), 'the added file is listed')
  t.notOk(listing.some(l => l.startsWith('/docs/d3/f9.bin')), 'the removed one is not')
})

t.test('bytes damaged on disk are detected and fetched again', async t => {
  const { remote, mount, stateDir } = await setup(t)
  const content = patternBuffer(3 * MiB, 77)
  remote.addFile('/big.bin', content)
  let fs = await mount()
  await readAll(fs, '/big.bin')
  await until('on disk', () => fs.stats().diskCacheBytes === content.length)
  fs = await mount()
  const fh = await open(join(stateDir, 'cache', '1'), 'r+')
  await fh.write(Buffer.from('flipped'), 0, 7, 2 * MiB + 12345)
  await fh.close()
  const reads = remote.calls.read
  t.ok((await readAll(fs, '/big.bin')).equals(content), 'byte for byte')
  t.equal(remote.calls.read, reads + 1, 'one request, for the damaged part')
  t.equal(fs.stats().checksumFailures, 1)
  t.ok(remote.reads.at(-1)!.offset <= 2 * MiB + 12345 && remote.reads.at(-1)!.offset % (128 * KiB) === 0, 'from the damaged block on')
})

t.test('clearStore empties the tree and the content while mounted', async t => {
  const { remote, mount } = await setup(t)
  const files = addTree(remote)
  let fs = await mount()
  await tree(fs)
  const path = [...files.keys()][3]!
  await readAll(fs, path)
  await until('on disk', () => fs.stats().diskCacheBytes > 0)
  fs.clearStore()
  t.equal(fs.stats().diskCacheBytes, 0)
  t.ok((await readAll(fs, path)).equals(files.get(path)!), 'still readable, from the bridge')
  t.match(fs.storeStats(), { listings: 1, entries: 10 }, 'only what was listed again since: the file\'s folder')
  fs = await mount(false)
  await t.rejects(fs.readdir('/docs/d4'), { code: 'EHOSTDOWN' }, 'the rest is gone from the store')
})
