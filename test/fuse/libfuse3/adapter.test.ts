// The libfuse 3 adapter without a kernel: requests go to dispatch as the
// addon sends them, replies land in a fake session.
import { constants as fsConstants } from 'node:fs'
import t from 'tap'
import { LowLevelAdapter } from '../../../src/fuse/libfuse3/adapter.js'
import { ATTR_STRIDE } from '../../../src/fuse/libfuse3/attr-record.js'
import { ROOT_INO } from '../../../src/fuse/libfuse3/inode-table.js'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { FakeRemote, testOptions } from '../../helpers/fake-remote.js'
import { ManualTime, settle, settleUntil } from '../../helpers/manual-time.js'
import { FakeSession, OPS, SETATTR_BITS, type Reply } from '../../helpers/fuse3-fake-session.js'

const ENOENT = 2
const EIO = 5
const EEXIST = 17
const EINVAL = 22

function setup(files = 5) {
  const remote = new FakeRemote()
  for (let i = 0; i < files; i++) remote.addFile(`/dir/file ${i}.txt`, `content ${i}`)
  remote.addFile('/a.txt', 'hello')
  const clock = new ManualTime()
  const fs = new MegaFs({ remote, options: testOptions({ quotaFirstWaitMs: 10 }), logger: silentLogger, time: clock, stateDir: '/nonexistent' })
  const session = new FakeSession()
  const adapter = new LowLevelAdapter(fs, { logger: silentLogger, readOnly: false, kernelTtlS: 60, negativeTtlS: 30, clock })
  let ended = 0
  adapter.setSetattrBits(SETATTR_BITS)
  adapter.attach(session, OPS, () => ended++)
  fs.watch(change => adapter.changed(change))
  let slot = 0
  /** Sends one request and waits for its reply. */
  async function send(op: keyof typeof OPS, args: { ino?: number; ino2?: number; fh?: number; off?: number; size?: number; flags?: number; mode?: number; name?: string; name2?: string; extra?: Buffer | Float64Array } = {}): Promise<Reply> {
    const s = ++slot
    adapter.dispatch(OPS[op], s, args.ino ?? ROOT_INO, args.ino2 ?? 0, args.fh ?? 0, args.off ?? 0, args.size ?? 0, args.flags ?? 0, args.mode ?? 0, args.name, args.name2, args.extra)
    return session.reply(s)
  }
  return { remote, clock, fs, session, adapter, send, ended: () => ended }
}

t.test('lookup answers an entry with its attributes and counts it; forget lets it go', async t => {
  const { send, adapter } = setup()
  const r = await send('lookup', { name: 'a.txt' })
  t.equal(r.kind, 'entry')
  t.equal(r.attrs![5], 5, 'size')
  t.equal(r.attrs![7], 1024 * 1024, 'st_blksize: 1 MiB pieces')
  t.equal(r.attrTimeoutS, 60, 'the kernel may keep it for the TTL given')
  const node = adapter.table.get(r.ino!)!
  t.equal(node.nlookup, 1)
  t.equal((await send('lookup', { name: 'a.txt' })).ino, r.ino, 'the same inode on the next lookup')
  t.equal(node.nlookup, 2)
  adapter.dispatch(OPS.forget, -1, 0, 0, 0, 0, 0, 0, 0, undefined, undefined, new Float64Array([r.ino!, 2]))
  t.equal(adapter.table.get(r.ino!), undefined)
  const missing = await send('lookup', { name: 'missing' })
  t.same([missing.kind, missing.ino, missing.entryTimeoutS], ['entry', 0, 30], 'a missing name: an entry of inode 0, kept as long as the core keeps it')
})

t.test('a missing name the kernel keeps is taken back as soon as the core learns of it', async t => {
  const { send, session, remote, fs, adapter } = setup()
  const dir = await send('lookup', { name: 'dir' })
  for (const name of ['new.txt', 'later.txt', 'never.txt']) t.equal((await send('lookup', { ino: dir.ino, name })).ino, 0, `${name}: no such name`)
  // A file this mount made (create through the kernel): nothing to take back.
  const made = await send('create', { ino: dir.ino, name: 'never.txt', flags: fsConstants.O_RDWR, mode: 0o644 })
  await send('release', { ino: made.ino, fh: made.fh })
  // A file that appears on the server: the next listing shows it.
  remote.addFile('/dir/new.txt', 'new')
  fs.invalidate('/dir/new.txt')
  t.same(session.forgottenNames.filter(n => n.parent === dir.ino).map(n => n.name), ['new.txt'], 'a refresh of the path takes its "no" back')
  remote.addFile('/dir/later.txt', 'later')
  await fs.readdir('/dir').catch(() => {})
  fs.invalidate('/dir')
  await fs.readdir('/dir')
  t.same(session.forgottenNames.filter(n => n.parent === dir.ino).map(n => n.name).sort(), ['later.txt', 'new.txt'], 'the folder listed anew takes back the rest, not the name the kernel made')
  const found = await send('lookup', { ino: dir.ino, name: 'later.txt' })
  t.ok(found.ino! > 0, 'then the lookup finds it')
  t.equal(adapter.counters.lookups, 5, "each lookup reached the adapter once")
})

t.test('missing names past the bound are answered without a kernel copy', async t => {
  const { send } = setup(0)
  let last: Reply | null = null
  for (let i = 0; i <= 10_000; i++) last = await send('lookup', { name: `missing ${i}` })
  t.same(last, { kind: 'err', errno: ENOENT }, 'the 10,001st: a plain ENOENT')
})

t.test('readdirplus hands over every entry once, at offsets, counting only what was packed', async t => {
  const { send, adapter } = setup(40)
  const dir = await send('lookup', { name: 'dir' })
  const open = await send('opendir', { ino: dir.ino })
  const seen: string[] = []
  let off = 0
  let rounds = 0
  for (;;) {
    const r = await send('readdirplus', { ino: dir.ino, fh: open.fh, off, size: 1024 })
    if (r.names!.length === 0) break
    seen.push(...r.names!)
    off = r.offsets!.at(-1)!
    rounds++
  }
  t.ok(rounds > 3, `a small buffer takes several reads (${rounds})`)
  t.same(seen.slice(0, 2), ['.', '..'])
  t.equal(seen.length, 42)
  t.equal(new Set(seen).size, 42, 'no name twice')
  const dirNode = adapter.table.get(dir.ino!)!
  t.equal(dirNode.children!.size, 40, 'a node per file, none for . and ..')
  t.ok([...dirNode.children!.values()].every(n => n.nlookup === 1), 'each counted once')
  t.equal(dirNode.nlookup, 1, '. does not count as a lookup of the folder')
})

t.test('plain readdir creates no nodes; a read from offset 0 sees the folder anew', async t => {
  const { send, adapter, remote, clock } = setup(3)
  const dir = await send('lookup', { name: 'dir' })
  const open = await send('opendir', { ino: dir.ino })
  const first = await send('readdir', { ino: dir.ino, fh: open.fh, off: 0, size: 4096 })
  t.equal(first.names!.length, 5)
  t.equal(adapter.table.get(dir.ino!)!.children, null, 'no lookup counted')
  remote.addFile('/dir/new.txt', 'n')
  await clock.advance(120_000)
  const again = await send('readdir', { ino: dir.ino, fh: open.fh, off: 0, size: 4096 })
  t.ok(again.names!.includes('new.txt'), 'rewinddir sees the new file')
})

t.test('a reply the kernel no longer waits for counts nothing and releases what it opened', async t => {
  const { send, adapter, session } = setup(3)
  const dir = await send('lookup', { name: 'dir' })
  const open = await send('opendir', { ino: dir.ino })
  session.alive = false
  const s = 9000
  adapter.dispatch(OPS.readdirplus, s, dir.ino!, 0, open.fh!, 0, 4096, 0, 0, undefined, undefined, undefined)
  adapter.dispatch(OPS.lookup, s + 1, ROOT_INO, 0, 0, 0, 0, 0, 0, 'a.txt', undefined, undefined)
  adapter.dispatch(OPS.open, s + 2, dir.ino!, 0, 0, 0, 0, fsConstants.O_RDONLY, 0, undefined, undefined, undefined)
  // the fake fs answers on promises only: wait for the three refused replies and the open's release
  await settleUntil('the three replies refused', () => session.refused === 3 && adapter.openHandles() === 0)
  await settle()
  t.equal(adapter.table.get(dir.ino!)!.children, null, 'no entry counted')
  t.equal(adapter.table.child(adapter.table.root, 'a.txt'), undefined, 'the lookup left no node')
  t.equal(adapter.openHandles(), 0, 'nothing left open')
})

t.test('reads are answered from the file\'s window, never a new buffer', async t => {
  const { send } = setup()
  const a = await send('lookup', { name: 'a.txt' })
  const open = await send('open', { ino: a.ino, flags: fsConstants.O_RDONLY })
  const r1 = await send('read', { ino: a.ino, fh: open.fh, off: 0, size: 65536 })
  const r2 = await send('read', { ino: a.ino, fh: open.fh, off: 1, size: 65536 })
  t.equal(r1.data!.toString(), 'hello')
  t.equal(r2.data!.toString(), 'ello')
  // Both are views of the one window holding the file (readView): the
  // reply needs no copy into a reply buffer.
  t.equal(r1.buffer!.buffer, r2.buffer!.buffer, 'the same memory answered both reads')
  t.equal(r2.buffer!.byteOffset, r1.buffer!.byteOffset + 1, 'the second a view one byte further')
  t.same(await send('release', { ino: a.ino, fh: open.fh }), { kind: 'err', errno: 0 })
})

t.test('keep_cache only while the kernel\'s pages are of the same version', async t => {
  const { send, remote, clock, fs } = setup()
  const a = await send('lookup', { name: 'a.txt' })
  const o1 = await send('open', { ino: a.ino, flags: fsConstants.O_RDONLY })
  t.equal(o1.bits, 0, 'first open: the kernel holds no pages yet')
  const o2 = await send('open', { ino: a.ino, flags: fsConstants.O_RDONLY })
  t.equal(o2.bits, 1, 'same version: keep the pages')
  remote.addFile('/a.txt', 'changed content')
  await clock.advance(120_000)
  fs.invalidate('/a.txt')
  const o3 = await send('open', { ino: a.ino, flags: fsConstants.O_RDONLY })
  t.equal(o3.bits, 0, 'a new version: drop them')
})

t.test('setattr: a new mtime reaches the core, an access time alone does not', async t => {
  const { send, fs } = setup()
  const calls: string[] = []
  fs.utimens = async (p, a, m) => {
    calls.push(`utimens ${p} ${a} ${m}`)
  }
  const a = await send('lookup', { name: 'a.txt' })
  const atimeOnly = await send('setattr', { ino: a.ino, flags: SETATTR_BITS.atime, extra: new Float64Array([NaN, 5000, NaN, NaN, NaN, NaN]) })
  t.equal(atimeOnly.kind, 'attr', 'answered with the attributes')
  t.same(calls, [], 'MEGA keeps no access time: nothing asked of the core')
  await send('setattr', { ino: a.ino, flags: SETATTR_BITS.mtime, extra: new Float64Array([NaN, NaN, 7000, NaN, NaN, NaN]) })
  t.same(calls, ['utimens /a.txt 7000 7000'])
  await send('setattr', { ino: a.ino, flags: SETATTR_BITS.mtime | SETATTR_BITS.mtimeNow, extra: new Float64Array([NaN, NaN, 1, NaN, NaN, NaN]) })
  t.match(calls[1], /^utimens \/a.txt (\d+) \1$/, 'UTIME_NOW: the clock\'s time')
  t.not(calls[1], 'utimens /a.txt 1 1')
})

t.test('rename: RENAME_NOREPLACE over an existing name is EEXIST, RENAME_EXCHANGE is EINVAL', async t => {
  const { send } = setup()
  const dir = await send('lookup', { name: 'dir' })
  t.same(await send('rename', { ino: ROOT_INO, name: 'a.txt', ino2: dir.ino, name2: 'file 0.txt', flags: 1 }), { kind: 'err', errno: EEXIST })
  t.same(await send('rename', { ino: ROOT_INO, name: 'a.txt', ino2: dir.ino, name2: 'file 0.txt', flags: 2 }), { kind: 'err', errno: EINVAL })
})

t.test('an unexpected error answers EIO; an unknown inode ENOENT', async t => {
  const { send, fs } = setup()
  fs.getattr = async () => {
    throw new Error('a bug')
  }
  t.same(await send('lookup', { name: 'a.txt' }), { kind: 'err', errno: EIO })
  t.same(await send('getattr', { ino: 12345 }), { kind: 'err', errno: ENOENT })
})

t.test('a changed listing invalidates what the kernel holds: changed attributes, vanished names', async t => {
  const { send, session, remote, clock, fs } = setup(3)
  const dir = await send('lookup', { name: 'dir' })
  const f0 = await send('lookup', { ino: dir.ino, name: 'file 0.txt' })
  const f1 = await send('lookup', { ino: dir.ino, name: 'file 1.txt' })
  await send('lookup', { ino: dir.ino, name: 'file 2.txt' })
  remote.addFile('/dir/file 0.txt', 'a longer content than before')
  remote.nodes.delete('/dir/file 1.txt')
  await clock.advance(120_000)
  await fs.readdir('/dir')
  await settleUntil('the changes reach the kernel', () => session.forgottenNames.length > 0 && session.invalidated.some(i => i.ino === f0.ino))
  await settle() // room for a wrong extra invalidation to land
  t.same(session.invalidated.filter(i => i.ino === f0.ino), [{ ino: f0.ino, offset: 0, length: 0 }], 'file 0: attributes and pages')
  t.same(session.forgottenNames, [{ parent: dir.ino, name: 'file 1.txt' }], 'file 1: its name')
  t.notOk(session.invalidated.some(i => i.ino === f1.ino))
  t.equal(session.invalidated.length, 1, 'file 2, unchanged, is left alone')
})

t.test('refresh invalidates names and attributes at and below the path', async t => {
  const { send, session, fs } = setup(2)
  const dir = await send('lookup', { name: 'dir' })
  const f0 = await send('lookup', { ino: dir.ino, name: 'file 0.txt' })
  fs.invalidate('/dir')
  t.same(
    session.forgottenNames.map(n => `${n.parent}/${n.name}`).sort(),
    [`${dir.ino}/file 0.txt`, `${ROOT_INO}/dir`].sort(),
  )
  const pages = session.invalidated.filter(i => i.offset === 0).map(i => i.ino)
  t.same([...new Set(pages)].sort(), [dir.ino, f0.ino].sort(), 'attributes and pages of everything below')
})

t.test('the end of the kernel connection reaches the mount', async t => {
  const { adapter, ended } = setup()
  adapter.dispatch(OPS.ended, -1, 0, 0, 0, 0, 0, 0, 0, undefined, undefined, undefined)
  t.equal(ended(), 1)
})

t.test('readdirplus records carry the inode of each entry', async t => {
  const { send, adapter } = setup(2)
  const open = await send('opendir', { ino: ROOT_INO })
  const r = await send('readdirplus', { ino: ROOT_INO, fh: open.fh, off: 0, size: 65536 })
  const dirIno = adapter.table.child(adapter.table.root, 'dir')!.ino
  t.equal(r.attrs![r.names!.indexOf('dir')], dirIno)
  t.equal(r.attrs![0], ROOT_INO, '. is the folder itself')
  void ATTR_STRIDE
})

t.test('a folder keeps the kernel\'s copy of its entries only while its listing is unchanged', async t => {
  const { send, remote, clock } = setup(3)
  const dir = await send('lookup', { name: 'dir' })
  const first = await send('opendir', { ino: dir.ino })
  t.equal(first.bits, 4, 'cache_readdir, nothing to keep yet')
  const again = await send('opendir', { ino: dir.ino })
  t.equal(again.bits, 4 | 1, 'unchanged: the kernel keeps what it read')
  remote.addFile('/dir/new.txt', 'n')
  await clock.advance(120_000)
  const changed = await send('opendir', { ino: dir.ino })
  t.equal(changed.bits, 4, 'listed anew with a new file: read again')
})
