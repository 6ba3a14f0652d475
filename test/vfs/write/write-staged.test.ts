import { constants as C } from 'node:fs'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { TRASH_ROOT } from '../../../src/vfs/trash/trash.js'
import type { FileHandle } from '../../../src/vfs/types.js'
import { stagedWrites, type StagedWrites } from '../../../src/vfs/write/write-staged.js'
import { testOptions } from '../../helpers/fake-remote.js'
import { WritableFakeRemote, until } from './write-fakes.js'
import { ManualTime } from '../../helpers/manual-time.js'

async function setup(dir: string, remote = new WritableFakeRemote(), options = testOptions()) {
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  let writes: StagedWrites | null = null
  const fs = new MegaFs({ remote, options, logger: silentLogger, time, stateDir: dir, writes: stagedWrites({ trashPurgeCron: null, onCreated: w => (writes = w) }) })
  await writes!.ready
  const queue = await writes!.uploads()
  return { fs, remote, time, writes: writes!, queue, options }
}

async function put(h: FileHandle, text: string, position = 0) {
  await h.write(Buffer.from(text), Buffer.byteLength(text), position)
}

async function read(fs: MegaFs, path: string): Promise<string> {
  const size = (await fs.getattr(path)).size
  const h = await fs.open(path, C.O_RDONLY)
  const buffer = Buffer.alloc(size)
  const n = await h.read(buffer, size, 0)
  await h.release()
  return buffer.subarray(0, n).toString()
}

t.test('create and write: seen at once, uploaded after the delay', async t => {
  const s = await setup(t.testdir(), new WritableFakeRemote().addFolder('/docs'))
  const h = await s.fs.create('/docs/a.txt', 0o644)
  await put(h, 'hello world')
  t.equal((await h.getattr()).size, 11)
  await h.fsync()
  await h.flush()
  t.equal((await s.fs.getattr('/docs/a.txt')).size, 11, 'stat sees the new size before any upload')
  t.same((await s.fs.readdir('/docs')).names, ['a.txt'])
  t.equal(await read(s.fs, '/docs/a.txt'), 'hello world')
  t.equal(s.remote.callsOf('put').length, 0)
  await h.release()
  await h.release()
  await s.time.advance(s.options.uploadDelayMs)
  await until(() => s.queue.snapshot().totals.count === 0 && s.writes.stagedAttr('/docs/a.txt') === null, 'uploaded')
  t.equal(s.remote.content('/docs/a.txt'), 'hello world')
  t.equal(await read(s.fs, '/docs/a.txt'), 'hello world', 'read from the server now')
  await t.rejects(s.fs.create('/nope/x', 0o644), { code: 'ENOENT' })
  await s.fs.close()
})

t.test('open an existing file: modify in the middle, append, truncate', async t => {
  const remote = new WritableFakeRemote().addFile('/f.txt', '0123456789').addFile('/log', 'a\n').addFile('/t', 'abcdef')
  const s = await setup(t.testdir(), remote)
  const h = await s.fs.open('/f.txt', C.O_RDWR)
  await put(h, 'XY', 4)
  await h.release()
  const a = await s.fs.open('/log', C.O_WRONLY | C.O_APPEND)
  await put(a, 'b\n', 0)
  await a.release()
  await s.fs.truncate('/t', 3)
  const z = await s.fs.open('/t', C.O_WRONLY | C.O_TRUNC)
  t.equal((await z.getattr()).size, 0)
  await put(z, 'new')
  await z.release()
  await t.rejects(s.fs.open('/missing', C.O_WRONLY), { code: 'ENOENT' })
  await t.rejects(s.fs.truncate('/t', -1), { code: 'EINVAL' })
  const r = await s.fs.open('/f.txt', C.O_RDONLY)
  await t.rejects(r.write(Buffer.from('x'), 1, 0), { code: 'EBADF' }, 'a read-only handle on staged data')
  await r.release()
  await s.queue.drain()
  t.equal(remote.content('/f.txt'), '0123XY6789')
  t.equal(remote.content('/log'), 'a\nb\n')
  t.equal(remote.content('/t'), 'new')
  await s.fs.close()
})

t.test("an editor's save: temp file, fsync, rename over the original", async t => {
  const remote = new WritableFakeRemote().addFile('/notes.md', 'old')
  const s = await setup(t.testdir(), remote)
  const h = await s.fs.create('/.notes.md.swp', 0o600)
  await put(h, 'new text')
  await h.fsync()
  await h.release()
  await s.fs.chmod('/.notes.md.swp', 0o644)
  await s.fs.rename('/.notes.md.swp', '/notes.md')
  t.equal(await read(s.fs, '/notes.md'), 'new text')
  t.notOk((await s.fs.readdir('/')).names.includes('.notes.md.swp'))
  await s.queue.drain()
  t.equal(remote.content('/notes.md'), 'new text')
  t.notOk(remote.nodes.has('/.notes.md.swp'))
  t.same(remote.callsOf('put').map(c => c.path), ['/notes.md'], 'one PUT to the final name (a new MEGA version)')
  t.equal(remote.callsOf('move').length, 0)
  await s.fs.close()
})

t.test('unlink: trash by default, hidden trash folder, staged files just vanish', async t => {
  const remote = new WritableFakeRemote().addFile('/a.jpg', 'A')
  const s = await setup(t.testdir(), remote)
  await s.fs.unlink('/a.jpg')
  t.notOk(remote.nodes.has('/a.jpg'))
  t.equal(remote.content(`${TRASH_ROOT}/2024-03-31/a.jpg`), 'A')
  t.same((await s.fs.readdir('/')).names, [], 'the trash is hidden from the root listing')
  t.same((await s.fs.readdir(TRASH_ROOT)).names, ['2024-03-31'], 'but can be opened by path')
  await t.rejects(s.fs.unlink('/a.jpg'), { code: 'ENOENT' })
  const h = await s.fs.create('/tmp', 0o644)
  await put(h, 'x')
  await h.release()
  await s.fs.unlink('/tmp')
  await s.queue.drain()
  t.equal(remote.callsOf('put').length, 0)
  await t.rejects(s.fs.getattr('/tmp'), { code: 'ENOENT' })
  await s.fs.unlink(`${TRASH_ROOT}/2024-03-31/a.jpg`)
  t.equal(remote.callsOf('delete').length, 1, 'inside the trash: permanent')
  await s.fs.close()
})

t.test('permanent delete mode', async t => {
  const remote = new WritableFakeRemote().addFile('/a', 'A')
  const s = await setup(t.testdir(), remote, testOptions({ deleteMode: 'permanent' }))
  await s.fs.unlink('/a')
  t.same(remote.callsOf('delete').map(c => c.path), ['/a'])
  t.equal(remote.callsOf('move').length, 0)
  await s.fs.close()
})

t.test('folders: mkdir, rmdir, rename with staged files below', async t => {
  const remote = new WritableFakeRemote().addFolder('/full').addFile('/full/x', 'x')
  const s = await setup(t.testdir(), remote)
  await s.fs.mkdir('/d', 0o755)
  t.ok(remote.nodes.get('/d')?.isDir)
  await t.rejects(s.fs.mkdir('/d', 0o755), { code: 'EEXIST' })
  const h = await s.fs.create('/d/f', 0o644)
  await put(h, 'staged')
  await h.release()
  await t.rejects(s.fs.rmdir('/d'), { code: 'ENOTEMPTY' }, 'counts staged children')
  await t.rejects(s.fs.rmdir('/full'), { code: 'ENOTEMPTY' })
  await t.rejects(s.fs.rmdir('/d/f'), { code: 'ENOTDIR' })
  await s.fs.rename('/d', '/e')
  t.ok(remote.nodes.get('/e')?.isDir)
  t.equal(await read(s.fs, '/e/f'), 'staged')
  await s.queue.drain()
  t.equal(remote.content('/e/f'), 'staged')
  t.notOk(remote.nodes.has('/d'))
  await t.rejects(s.fs.rename('/e', '/full'), { code: 'ENOTEMPTY' })
  await t.rejects(s.fs.rename('/e', '/e/inside'), { code: 'EINVAL' })
  await s.fs.mkdir('/empty', 0o755)
  await s.fs.rmdir('/empty')
  t.notOk(remote.nodes.has('/empty'))
  t.ok(remote.nodes.get(`${TRASH_ROOT}/2024-03-31/empty`)?.isDir)
  await s.fs.close()
})

t.test('rename of files: on the server, over a target, missing', async t => {
  const remote = new WritableFakeRemote().addFile('/a', 'A').addFile('/b', 'B').addFolder('/dir')
  const s = await setup(t.testdir(), remote)
  await s.fs.rename('/a', '/dir/a2')
  t.equal(remote.content('/dir/a2'), 'A')
  await s.fs.rename('/b', '/dir/a2')
  t.equal(remote.content('/dir/a2'), 'B')
  await t.rejects(s.fs.rename('/nope', '/x'), { code: 'ENOENT' })
  await t.rejects(s.fs.rename('/dir/a2', '/dir'), { code: 'EISDIR' })
  // staged new content over an older server copy: both move
  const h = await s.fs.open('/dir/a2', C.O_WRONLY | C.O_TRUNC)
  await put(h, 'B2')
  await h.release()
  await s.fs.rename('/dir/a2', '/c')
  await s.queue.drain()
  t.equal(remote.content('/c'), 'B2')
  t.notOk(remote.nodes.has('/dir/a2'))
  await s.fs.close()
})

t.test('bridge down: writes into known folders still succeed and queue', async t => {
  const remote = new WritableFakeRemote().addFolder('/known')
  const s = await setup(t.testdir(), remote)
  await s.fs.readdir('/known')
  s.fs.setBridgeAvailable(false)
  t.ok(s.queue.snapshot().paused, 'the queue follows the health check')
  s.fs.setBridgeAvailable(true)
  s.fs.setBridgeAvailable(false)
  remote.failAlways('put', 'bridge-down')
  remote.failAlways('stat', 'bridge-down')
  const h = await s.fs.create('/known/offline.txt', 0o644)
  await put(h, 'written offline')
  await h.release()
  await s.time.advance(s.options.uploadDelayMs)
  t.equal(s.queue.snapshot().queued[0]?.state, 'ready', 'held while the bridge is down')
  await t.rejects(s.fs.mkdir('/new', 0o755), { code: 'EHOSTDOWN' })
  t.equal(await read(s.fs, '/known/offline.txt'), 'written offline')
  remote.failAlways('put', null)
  remote.failAlways('stat', null)
  s.fs.setBridgeAvailable(true)
  await s.queue.drain()
  t.equal(remote.content('/known/offline.txt'), 'written offline')
  await s.fs.close()
})

t.test('chmod, chown, utimens are accepted; utimens shows on staged files', async t => {
  const remote = new WritableFakeRemote().addFile('/a', 'A')
  const s = await setup(t.testdir(), remote)
  await s.fs.chmod('/a', 0o600)
  await s.fs.chown('/a', 1, 1)
  await s.fs.utimens('/a', 0, 0)
  await t.rejects(s.fs.chmod('/none', 0o600), { code: 'ENOENT' })
  const h = await s.fs.create('/b', 0o644)
  await h.release()
  await s.fs.utimens('/b', 1_000_000, 1_000_000)
  t.equal((await s.fs.getattr('/b')).mtimeMs, 1_000_000)
  t.ok((await s.fs.statfs('/')).nameMax > 0)
  await s.fs.close()
})

t.test('restart: pending writes resume; read-only profiles refuse everything', async t => {
  const dir = t.testdir()
  const remote = new WritableFakeRemote()
  const first = await setup(dir, remote)
  const h = await first.fs.create('/survivor', 0o644)
  await put(h, 'still here')
  await h.release()
  await first.fs.close()
  t.equal(remote.callsOf('put').length, 0)
  const second = await setup(dir, remote)
  t.equal(await read(second.fs, '/survivor'), 'still here', 'visible again at once')
  await second.queue.drain()
  t.equal(remote.content('/survivor'), 'still here')
  await second.fs.close()
  const daily = new MegaFs({ remote, options: testOptions(), logger: silentLogger, stateDir: dir, writes: stagedWrites({ onCreated: w => (second.writes = w) }) })
  remote.addFile(`${TRASH_ROOT}/2000-01-01/old`, 'old')
  t.same(await second.writes.purgeTrash(), [`${TRASH_ROOT}/2000-01-01`], 'purge with the profile retention')
  await daily.close()
  const ro = new MegaFs({ remote, options: testOptions({ readOnly: true }), logger: silentLogger, stateDir: dir, writes: stagedWrites() })
  await t.rejects(ro.create('/x', 0o644), { code: 'EROFS' })
  await t.rejects(ro.unlink('/survivor'), { code: 'EROFS' })
  await ro.close()
})

t.test('copying many files into a folder lists it once, not once per file', async t => {
  const s = await setup(t.testdir(), new WritableFakeRemote().addFolder('/docs'))
  await s.fs.mkdir('/docs/copy', 0o755)
  const FILES = 40
  for (let i = 0; i < FILES; i++) {
    // What cp and rsync do per file: look the name up, create, write, close;
    // rsync writes a temporary name first and renames it.
    const temp = `/docs/copy/.f${i}.tmp`
    await t.rejects(s.fs.getattr(`/docs/copy/f${i}`), { code: 'ENOENT' })
    const h = await s.fs.create(temp, 0o644)
    await put(h, `file ${i}`)
    await h.release()
    await s.fs.rename(temp, `/docs/copy/f${i}`)
    // Uploads finish while the copy goes on.
    if (i % 5 === 4) {
      await s.time.advance(s.options.uploadDelayMs)
      await until(() => s.queue.snapshot().totals.count === 0, 'uploaded')
    }
  }
  await s.time.advance(s.options.uploadDelayMs)
  await until(() => s.queue.snapshot().totals.count === 0 && s.writes.stagedAttr(`/docs/copy/f${FILES - 1}`) === null, 'all uploaded')
  t.same((await s.fs.readdir('/docs/copy')).names.sort(), Array.from({ length: FILES }, (_, i) => `f${i}`).sort(), 'every file listed, no temporary name')
  t.ok(s.remote.callsOf('list').length <= 3, `${s.remote.callsOf('list').length} listings for ${FILES} files`)
  t.same(s.remote.callsOf('move'), [], 'a file only staged is renamed on local disk alone')
  await s.fs.close()
})
