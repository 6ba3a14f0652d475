import { constants as fsConstants } from 'node:fs'
import t from 'tap'
import { FsError } from '../../src/errors.js'
import { silentLogger } from '../../src/log.js'
import { MegaFs, type MegaFsOptions } from '../../src/vfs/mega-fs.js'
import { FakeRemote, patternBuffer, testOptions } from '../helpers/fake-remote.js'
import { ManualTime } from '../helpers/manual-time.js'

const MiB = 1024 * 1024

function setup(options = testOptions(), extra: Partial<MegaFsOptions> = {}) {
  const remote = new FakeRemote()
  const clock = new ManualTime()
  const fs = new MegaFs({ remote, options: { quotaFirstWaitMs: 50, ...options }, logger: silentLogger, time: clock, stateDir: '/nonexistent', ...extra })
  return { remote, clock, fs }
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    return err instanceof FsError ? err.code : `not an FsError: ${String(err)}`
  }
}

async function readAll(fs: MegaFs, path: string, chunk = 128 * 1024): Promise<{ data: Buffer }> {
  const h = await fs.open(path, fsConstants.O_RDONLY)
  const parts: Buffer[] = []
  for (let pos = 0; ; ) {
    const buf = Buffer.alloc(chunk)
    const n = await h.read(buf, chunk, pos)
    if (n === 0) break
    parts.push(buf.subarray(0, n))
    pos += n
  }
  await h.release()
  return { data: Buffer.concat(parts) }
}

t.test('getattr of every child comes from one listing of the parent', async t => {
  const { remote, fs } = setup()
  for (let i = 0; i < 50; i++) remote.addFile(`/a/f${i}.txt`, 'x'.repeat(i))
  for (let i = 0; i < 50; i++) t.equal((await fs.getattr(`/a/f${i}.txt`)).size, i)
  t.equal(remote.calls.list, 1)
  t.equal(remote.calls.stat, 0)
  const s = fs.stats()
  t.equal(s.cacheMisses, 1)
  t.equal(s.cacheHits, 49)
  t.ok(s.hitRate > 0.97)
})

t.test('root getattr costs no request', async t => {
  const { remote, fs } = setup()
  const attr = await fs.getattr('/')
  t.equal(attr.mode, 0o040755)
  t.equal(attr.nlink, 2)
  t.equal(remote.totalCalls(), 0)
})

t.test('missing names in a listed folder cost nothing; negative entries outlive the listing', async t => {
  const { remote, clock, fs } = setup(testOptions({ cacheTtlMs: 10_000, negativeCacheTtlMs: 30_000 }))
  remote.addFile('/Photos/a.jpg', 'jpg')
  await fs.readdir('/Photos')
  t.equal(remote.calls.list, 1)
  for (const probe of ['.hidden', '.directory', '.DS_Store', 'autorun.inf', '.Trash', '.xdg-volume-info', '.thumbnails']) {
    t.equal(await code(fs.getattr(`/Photos/${probe}`)), 'ENOENT', probe)
  }
  t.equal(remote.calls.list, 1, 'no request for missing names')
  await clock.advance(20_000) // listing expired, negative entries not
  t.equal(await code(fs.getattr('/Photos/.hidden')), 'ENOENT')
  t.equal(remote.calls.list, 1, 'negative entry answered')
  await clock.advance(20_000)
  t.equal(await code(fs.getattr('/Photos/.hidden')), 'ENOENT')
  t.equal(remote.calls.list, 2, 'both expired: listed again')
})

t.test('listings expire after cacheTtlMs and invalidate drops them', async t => {
  const { remote, clock, fs } = setup(testOptions({ cacheTtlMs: 60_000 }))
  remote.addFile('/a/x', '1')
  await fs.readdir('/a')
  await clock.advance(59_999)
  await fs.readdir('/a')
  t.equal(remote.calls.list, 1)
  await clock.advance(2)
  await fs.readdir('/a')
  t.equal(remote.calls.list, 2)
  remote.addFile('/a/y', '2')
  t.same((await fs.readdir('/a')).names, ['x'], 'cached listing still shown')
  fs.invalidate('/a')
  t.same((await fs.readdir('/a')).names.sort(), ['x', 'y'])
  t.equal(remote.calls.list, 3)
  fs.invalidate()
  t.equal(fs.stats().cacheEntries, 0)
})

t.test('a file that appears after a negative answer is found once its path is invalidated', async t => {
  const { remote, fs } = setup()
  remote.addFolder('/a')
  t.equal(await code(fs.getattr('/a/new')), 'ENOENT')
  remote.addFile('/a/new', 'n')
  fs.invalidate('/a/new')
  t.equal((await fs.getattr('/a/new')).size, 1)
})

t.test('concurrent requests for one listing share one PROPFIND', async t => {
  const { remote, fs } = setup()
  for (let i = 0; i < 10; i++) remote.addFile(`/big/f${i}`, 'x')
  const results = await Promise.all([fs.readdir('/big'), fs.readdir('/big'), ...Array.from({ length: 10 }, (_, i) => fs.getattr(`/big/f${i}`))])
  t.equal(results.length, 12)
  t.equal(remote.calls.list, 1)
})

t.test('while the bridge is down: stale cache is served, everything else fails at once', async t => {
  const { remote, clock, fs } = setup()
  remote.addFile('/a/x', 'hello')
  remote.addFile('/b/y', 'world')
  await fs.readdir('/a')
  await clock.advance(10 * 60_000) // long expired
  fs.setBridgeAvailable(false)
  remote.hang('list')
  remote.hang('read')
  t.same((await fs.readdir('/a')).names, ['x'], 'expired listing still browsable')
  t.equal((await fs.getattr('/a/x')).size, 5)
  t.equal(await code(fs.readdir('/b')), 'EHOSTDOWN', 'uncached folder')
  t.equal(await code(fs.getattr('/b/y')), 'EHOSTDOWN', 'uncached file')
  const h = await fs.open('/a/x', fsConstants.O_RDONLY)
  t.equal(await code(h.read(Buffer.alloc(5), 5, 0)), 'EHOSTDOWN', 'content not cached')
  fs.setBridgeAvailable(true)
  remote.hang('list', false)
  remote.hang('read', false)
  t.same((await fs.readdir('/b')).names, ['y'])
})

t.test('requests in flight when the bridge goes down fail at once with EHOSTDOWN', async t => {
  const { remote, fs } = setup()
  remote.addFile('/a/x', 'hello')
  remote.hang('list')
  const pending = code(fs.readdir('/a'))
  await new Promise(resolve => setImmediate(resolve))
  fs.setBridgeAvailable(false)
  t.equal(await pending, 'EHOSTDOWN')
})

t.test('a failed refresh for a transient reason serves the listing seen last', async t => {
  const { remote, clock, fs } = setup()
  remote.addFile('/a/x', 'hello')
  await fs.readdir('/a')
  await clock.advance(120_000)
  remote.failWith('list', 'timeout')
  t.same((await fs.readdir('/a')).names, ['x'])
  remote.failWith('list', 'forbidden')
  await clock.advance(120_000)
  t.equal(await code(fs.readdir('/a')), 'EACCES', 'a real refusal is not hidden')
})

t.test('remote failures map to filesystem errors', async t => {
  const cases = [
    ['bridge-down', 'EHOSTDOWN'],
    ['timeout', 'ETIMEDOUT'],
    ['root-missing', 'EHOSTDOWN'],
    ['not-found', 'ENOENT'],
    ['forbidden', 'EACCES'],
    ['busy', 'EAGAIN'],
    ['no-space', 'ENOSPC'],
    ['bad-reply', 'EIO'],
    ['other', 'EIO'],
  ] as const
  for (const [kind, expected] of cases) {
    const { remote, fs } = setup()
    remote.addFile('/f', 'x')
    remote.failWith('list', kind)
    t.equal(await code(fs.getattr('/f')), expected, kind)
  }
})

t.test('attributes look right to ls, stat and du', async t => {
  const { remote, clock, fs } = setup()
  const mountTime = clock.now()
  remote.addFile('/docs/a.txt', Buffer.alloc(1000), 1_650_000_000_000)
  remote.addFile('/docs/sub/b.txt', 'b', 1_660_000_000_000)
  remote.addFolder('/empty')
  t.equal((await fs.getattr('/docs')).mtimeMs, mountTime, 'children not listed yet')
  const file = await fs.getattr('/docs/a.txt')
  t.equal(file.mode, 0o100644)
  t.equal(file.nlink, 1)
  t.equal(file.blocks, 2)
  t.equal(file.mtimeMs, 1_650_000_000_000)
  t.equal(file.ctimeMs, file.mtimeMs)
  t.equal(file.atimeMs, file.mtimeMs)
  t.equal(file.uid, process.getuid!())
  t.equal(file.gid, process.getgid!())
  t.equal((await fs.getattr('/empty')).mtimeMs, mountTime, 'unknown folder time: mount time')
  await fs.readdir('/docs')
  t.equal((await fs.getattr('/docs')).mtimeMs, 1_650_000_000_000, 'newest child')
  const dir = await fs.getattr('/docs/sub')
  t.equal(dir.mode, 0o040755)
  t.equal(dir.nlink, 2)
})

t.test('read-only profile: 0444/0555 and EROFS for every write', async t => {
  const { remote, fs } = setup(testOptions({ readOnly: true }))
  remote.addFile('/d/f', 'x')
  t.equal((await fs.getattr('/d/f')).mode, 0o100444)
  t.equal((await fs.getattr('/d')).mode, 0o040555)
})

t.test('every write operation fails with EROFS and sends nothing', async t => {
  for (const readOnly of [false, true]) {
    const { remote, fs } = setup(testOptions({ readOnly }), readOnly ? { writes: () => t.fail('factory used') as never } : {})
    remote.addFile('/d/f', 'x')
    const ops: Record<string, () => Promise<unknown>> = {
      create: () => fs.create('/d/new', 0o644),
      'open O_WRONLY': () => fs.open('/d/f', fsConstants.O_WRONLY),
      'open O_RDWR': () => fs.open('/d/f', fsConstants.O_RDWR),
      'open O_TRUNC': () => fs.open('/d/f', fsConstants.O_RDONLY | fsConstants.O_TRUNC),
      truncate: () => fs.truncate('/d/f', 0),
      unlink: () => fs.unlink('/d/f'),
      mkdir: () => fs.mkdir('/d/new', 0o755),
      rmdir: () => fs.rmdir('/d'),
      rename: () => fs.rename('/d/f', '/d/g'),
      chmod: () => fs.chmod('/d/f', 0o600),
      chown: () => fs.chown('/d/f', 0, 0),
      utimens: () => fs.utimens('/d/f', 0, 0),
      'handle write': async () => (await fs.open('/d/f', fsConstants.O_RDONLY)).write(Buffer.from('y'), 1, 0),
      'handle truncate': async () => (await fs.open('/d/f', fsConstants.O_RDONLY)).truncate(0),
    }
    for (const [name, op] of Object.entries(ops)) t.equal(await code(op()), 'EROFS', `${name} (readOnly ${readOnly})`)
    t.equal(remote.calls.put + remote.calls.mkdir + remote.calls.delete + remote.calls.move, 0)
  }
})

t.test('a write policy plugs in, except on read-only profiles', async t => {
  const calls: string[] = []
  const { fs } = setup(testOptions(), {
    writes: ctx => {
      t.equal(ctx.stateDir, '/nonexistent')
      return {
        create: async p => (calls.push(`create ${p}`), null as never),
        openForWrite: async p => (calls.push(`open ${p}`), null as never),
        truncate: async () => {},
        unlink: async p => void calls.push(`unlink ${p}`),
        mkdir: async () => {},
        rmdir: async () => {},
        rename: async () => {},
        chmod: async () => {},
        chown: async () => {},
        utimens: async () => {},
        close: async () => void calls.push('close'),
      }
    },
  })
  await fs.unlink('/x//y/')
  await fs.close()
  t.same(calls, ['unlink /x/y', 'close'])
})

t.test('readdir, open and lookups of the wrong kind', async t => {
  const { remote, fs } = setup()
  remote.addFile('/d/f', 'x')
  t.equal(await code(fs.open('/d', fsConstants.O_RDONLY)), 'EISDIR')
  t.equal(await code(fs.open('/', fsConstants.O_RDONLY)), 'EISDIR')
  await fs.readdir('/d')
  t.equal(await code(fs.readdir('/d/f')), 'ENOTDIR')
  t.equal(await code(fs.getattr('/d/f/x')), 'ENOTDIR')
  t.equal(await code(fs.getattr('/nope/x')), 'ENOENT')
  t.equal(await code(fs.getattr('/../etc')), 'EINVAL')
  t.equal(await code(fs.getattr('/' + 'n'.repeat(256))), 'ENAMETOOLONG')
})

t.test('duplicate names are counted and reported', async t => {
  const { remote, fs } = setup()
  remote.addFile('/d/same.txt', 'x')
  remote.duplicates.set('/d', ['same.txt'])
  await fs.readdir('/d')
  const s = fs.stats()
  t.equal(s.duplicateNames, 1)
  t.same(s.duplicatePaths, ['/d/same.txt'])
  fs.invalidate()
  t.equal(fs.stats().duplicateNames, 1, 'still counted after the listing is dropped')
  remote.duplicates.delete('/d')
  await fs.readdir('/d')
  t.equal(fs.stats().duplicateNames, 0, 'a new listing without duplicates clears the count')
})

t.test('a small file is fetched whole in one request and served from memory', async t => {
  const { remote, fs } = setup()
  const content = patternBuffer(700 * 1024, 3)
  remote.addFile('/s.bin', content)
  const { data } = await readAll(fs, '/s.bin', 4096)
  t.ok(data.equals(content))
  t.equal(remote.calls.read, 1)
  t.same(remote.reads[0], { path: '/s.bin', offset: 0, length: content.length })
  t.ok((await readAll(fs, '/s.bin')).data.equals(content), 'reopened')
  t.equal(remote.calls.read, 1, 'served from the chunk cache')
})

t.test('sequential read of 64 MiB costs at most 16 GETs', async t => {
  const { remote, fs } = setup()
  const content = patternBuffer(64 * MiB, 7)
  remote.addFile('/big.bin', content)
  const { data } = await readAll(fs, '/big.bin')
  t.ok(data.equals(content), 'content intact')
  t.ok(remote.calls.read <= 16, `${remote.calls.read} GETs`)
  t.ok(Math.max(...remote.reads.map(r => r.length)) <= 8 * MiB, 'windows bounded by readAheadMaxBytes')
  const covered = remote.reads.reduce((a, r) => a + r.length, 0)
  t.equal(covered, content.length, 'no byte fetched twice')
})

t.test('kernel-style parallel sequential reads share requests', async t => {
  const { remote, fs } = setup()
  const content = patternBuffer(16 * MiB, 9)
  remote.addFile('/p.bin', content)
  const h = await fs.open('/p.bin', fsConstants.O_RDONLY)
  const chunk = 128 * 1024
  for (let pos = 0; pos < content.length; pos += 4 * chunk) {
    const bufs = [0, 1, 2, 3].map(() => Buffer.alloc(chunk))
    // out of order, like the kernel's async read-ahead
    const ns = await Promise.all([2, 0, 3, 1].map(i => h.read(bufs[i]!, chunk, pos + i * chunk)))
    t.same(ns, [chunk, chunk, chunk, chunk])
    for (let i = 0; i < 4; i++) if (!bufs[i]!.equals(content.subarray(pos + i * chunk, pos + (i + 1) * chunk))) t.fail(`bytes at ${pos + i * chunk}`)
  }
  const covered = remote.reads.reduce((a, r) => a + r.length, 0)
  t.equal(covered, content.length, 'no byte fetched twice')
  t.ok(remote.calls.read <= 10, `${remote.calls.read} GETs`)
})

t.test('random reads fetch small windows, never the whole file', async t => {
  const { remote, fs } = setup()
  const content = patternBuffer(64 * MiB, 11)
  remote.addFile('/r.bin', content)
  const h = await fs.open('/r.bin', fsConstants.O_RDONLY)
  let x = 12345
  for (let i = 0; i < 20; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    const pos = (x % (60 * 1024)) * 1024 + 17
    const buf = Buffer.alloc(4096)
    t.equal(await h.read(buf, 4096, pos), 4096)
    if (!buf.equals(content.subarray(pos, pos + 4096))) t.fail(`bytes at ${pos}`)
  }
  t.ok(remote.reads.every(r => r.length <= 256 * 1024), 'every request small')
  t.ok(remote.reads.reduce((a, r) => a + r.length, 0) <= 20 * 256 * 1024)
})

t.test('reads at and past the end', async t => {
  const { remote, fs } = setup()
  remote.addFile('/big.bin', patternBuffer(2 * MiB + 5))
  const h = await fs.open('/big.bin', fsConstants.O_RDONLY)
  const buf = Buffer.alloc(100)
  t.equal(await h.read(buf, 100, 2 * MiB), 5)
  t.equal(await h.read(buf, 100, 2 * MiB + 5), 0)
  t.equal(await h.read(buf, 100, 10 * MiB), 0)
  await h.release()
  t.equal(await code(h.read(buf, 10, 0)), 'EBADF')
  t.equal((await h.getattr()).size, 2 * MiB + 5)
})

t.test('read errors map through the same table', async t => {
  const { remote, fs } = setup()
  remote.addFile('/f', 'x')
  const h = await fs.open('/f', fsConstants.O_RDONLY)
  remote.failWith('read', 'forbidden')
  t.equal(await code(h.read(Buffer.alloc(1), 1, 0)), 'EACCES')
  remote.failWith('read', null)
  t.equal(await h.read(Buffer.alloc(1), 1, 0), 1, 'a failure is not cached')
})

t.test('statfs: quota when known, a large default otherwise, never blocking on a dead bridge', async t => {
  const { remote, clock, fs } = setup()
  let s = await fs.statfs('/')
  t.equal(s.blocks * s.blockSize, 2 ** 50, '1 PiB when the server has no quota')
  t.equal(s.blocksFree, s.blocks)
  t.equal(s.nameMax, 255)
  remote.quotaValue = { usedBytes: 4096 * 10, availableBytes: 4096 * 90 }
  await clock.advance(120_000)
  await fs.statfs('/') // refresh in background
  await new Promise(resolve => setImmediate(resolve))
  await new Promise(resolve => setImmediate(resolve))
  s = await fs.statfs('/')
  t.equal(s.blocks, 100)
  t.equal(s.blocksAvailable, 90)
  fs.setBridgeAvailable(false)
  remote.hang('quota')
  await clock.advance(120_000)
  const before = remote.calls.quota
  s = await fs.statfs('/')
  t.equal(s.blocks, 100, 'last known figures')
  t.equal(remote.calls.quota, before, 'no request while down')
})

t.test('statfs waits only briefly for a hanging first quota', async t => {
  const { remote, clock, fs } = setup()
  remote.hang('quota')
  const asked = fs.statfs('/')
  await clock.advance(50) // quotaFirstWaitMs of setup()
  const s = await asked
  t.equal(s.blocks * s.blockSize, 2 ** 50)
  fs.setBridgeAvailable(false) // aborts nothing (quota has no signal) but must not throw
})
