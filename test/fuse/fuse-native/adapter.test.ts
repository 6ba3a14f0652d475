// The adapter without a kernel: call the fuse-native operations directly.
import { constants as fsConstants } from 'node:fs'
import { constants } from 'node:os'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { createFuseAdapter, kernelTimeMs, toFuseStatFs } from '../../../src/fuse/fuse-native/adapter.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import type { FileSystem } from '../../../src/vfs/types.js'
import { FakeRemote, testOptions } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'

function call<T = unknown>(fn: (cb: (code: number, value?: T, extra?: unknown) => void) => void): Promise<[number, T?, unknown?]> {
  return new Promise(resolve => fn((code, value, extra) => resolve([code, value, extra])))
}

function setup(readOnly = false) {
  const remote = new FakeRemote().addFile('/dir/a.txt', 'hello world')
  const fs = new MegaFs({ remote, options: testOptions({ readOnly }), logger: silentLogger, time: new ManualTime(), stateDir: '/x' })
  return { remote, fs, adapter: createFuseAdapter(fs, { logger: silentLogger, readOnly, opTimeoutMs: 10_000 }) }
}

t.test('open, read, release through file handles starting at 1', async t => {
  const { adapter } = setup()
  const ops = adapter.ops
  const [code, fd] = await call<number>(cb => ops.open!('/dir/a.txt', fsConstants.O_RDONLY, cb))
  t.equal(code, 0)
  t.equal(fd, 1)
  const [code2, fd2] = await call<number>(cb => ops.open!('/dir/a.txt', fsConstants.O_RDONLY, cb))
  t.equal(code2, 0)
  t.equal(fd2, 2)
  const buf = Buffer.alloc(5)
  const [n] = await call(cb => ops.read!('/dir/a.txt', 1, buf, 5, 6, cb))
  t.equal(n, 5)
  t.equal(buf.toString(), 'world')
  t.equal(adapter.openHandles(), 2)
  t.equal((await call(cb => ops.release!('/dir/a.txt', 1, cb)))[0], 0)
  t.equal((await call(cb => ops.read!('/dir/a.txt', 1, buf, 5, 0, cb)))[0], -constants.errno.EBADF)
  await adapter.releaseAll()
  t.equal(adapter.openHandles(), 0)
})

t.test('getattr, readdir with . and .., errors as negative errno', async t => {
  const { adapter } = setup()
  const ops = adapter.ops
  const [code, stat] = await call<{ size: number; mode: number }>(cb => ops.getattr!('/dir/a.txt', cb))
  t.equal(code, 0)
  t.equal(stat!.size, 11)
  t.equal(stat!.mode, 0o100644)
  const [c2, names, stats] = await call<string[]>(cb => ops.readdir!('/dir', cb as never))
  t.equal(c2, 0)
  t.same(names, ['.', '..', 'a.txt'])
  t.equal((stats as unknown[]).length, 3)
  t.equal((await call(cb => ops.getattr!('/dir/nope', cb)))[0], -constants.errno.ENOENT)
  t.equal((await call(cb => ops.readdir!('/nope', cb as never)))[0], -constants.errno.ENOENT)
  t.equal((await call(cb => ops.mkdir!('/new', 0o755, cb)))[0], -constants.errno.EROFS)
  t.equal((await call(cb => ops.unlink!('/dir/a.txt', cb)))[0], -constants.errno.EROFS)
  t.equal((await call(cb => ops.symlink!('/dir/a.txt', '/l', cb)))[0], -constants.errno.EPERM)
})

t.test('access: W_OK on a read-only mount is EROFS', async t => {
  const { adapter } = setup(true)
  t.equal((await call(cb => adapter.ops.access!('/dir/a.txt', fsConstants.R_OK, cb)))[0], 0)
  t.equal((await call(cb => adapter.ops.access!('/dir/a.txt', fsConstants.W_OK, cb)))[0], -constants.errno.EROFS)
  t.equal((await call(cb => adapter.ops.access!('/nope', fsConstants.R_OK, cb)))[0], -constants.errno.ENOENT)
})

t.test('a bug in the core is EIO, never ENOENT', async t => {
  const broken = { getattr: () => { throw new TypeError('bug') } } as unknown as FileSystem
  const adapter = createFuseAdapter(broken, { logger: silentLogger, readOnly: false, opTimeoutMs: 1000 })
  t.equal((await call(cb => adapter.ops.getattr!('/x', cb)))[0], -constants.errno.EIO)
})

t.test('an open that finishes after the kernel gave up is released', async t => {
  let released = 0
  const slow = {
    open: async () => ({ release: async () => void released++ }),
  } as unknown as FileSystem
  // The adapter measures the op on Date.now(), not its clock: a bound of 0 ms
  // makes every open finish after the kernel gave up, with no real-time sleep.
  const adapter = createFuseAdapter(slow, { logger: silentLogger, readOnly: false, opTimeoutMs: 0 })
  t.equal((await call(cb => adapter.ops.open!('/x', 0, cb)))[0], -constants.errno.ETIMEDOUT)
  t.equal(released, 1)
  t.equal(adapter.openHandles(), 0)
})

t.test('statfs figures are scaled to fit 32 bits', async t => {
  const s = toFuseStatFs({ blockSize: 4096, blocks: 2 ** 38, blocksFree: 2 ** 38, blocksAvailable: 2 ** 38, files: 1e9, filesFree: 1e9, nameMax: 255 })
  t.ok(s.blocks <= 0xffffffff)
  t.equal(s.blocks * s.frsize, 2 ** 50)
  const small = toFuseStatFs({ blockSize: 4096, blocks: 100, blocksFree: 90, blocksAvailable: 90, files: 1, filesFree: 1, nameMax: 255 })
  t.same([small.bsize, small.blocks, small.bavail, small.namemax], [4096, 100, 90, 255])
})

t.test('utimens: fuse-native markers for "now" become the clock time; real times pass', async t => {
  t.equal(kernelTimeMs(1073, 5_000_000), 5_000_000, 'UTIME_NOW / UTIME_OMIT as fuse-native passes them')
  t.equal(kernelTimeMs(0, 5_000_000), 5_000_000)
  t.equal(kernelTimeMs(1_577_934_245_000, 5_000_000), 1_577_934_245_000, 'touch -d 2020-01-02')
  const seen: number[][] = []
  const fs = { utimens: async (_p: string, a: number, m: number) => void seen.push([a, m]) } as unknown as FileSystem
  const adapter = createFuseAdapter(fs, { logger: silentLogger, readOnly: false, opTimeoutMs: 10_000, clock: { now: () => 42_000 } })
  t.equal((await call(cb => adapter.ops.utimens!('/a', 1073, 1073, cb)))[0], 0)
  t.equal((await call(cb => adapter.ops.utimens!('/a', 1_000_000_000_000, 1_000_000_000_000, cb)))[0], 0)
  t.same(seen, [[42_000, 42_000], [1_000_000_000_000, 1_000_000_000_000]])
})
