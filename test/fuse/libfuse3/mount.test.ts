// What the libfuse 3 backend gives through a real kernel mount, beyond the
// functional cases every backend passes (test/fuse/mount*.test.ts):
// readdirplus (no LOOKUP per file), reads of up to 1 MiB, auto_unmount,
// and kernel caches that may be kept for long because the kernel is told
// of every change.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../../src/emulator/bridge.js'
import { findMount } from '../../../src/mount-table.js'
import { patternBuffer } from '../../helpers/fake-remote.js'
import { sha256 } from '../../helpers/fs-cases.js'
import { startMountChild } from '../../helpers/mount-child-process.js'
import { waitUntil } from '../../helpers/wait-until.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const isRoot = process.getuid?.() === 0

let emulator: BridgeEmulator
let root: string
let drive: string

t.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'megamount-fuse3-'))
  drive = join(root, 'account', 'Drive')
  await mkdir(join(drive, 'many'), { recursive: true })
  await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(join(drive, 'many', `file ${i}.txt`), `file ${i}\n`)))
  await writeFile(join(drive, 'big.bin'), patternBuffer(64 * MiB, 5))
  emulator = new BridgeEmulator({ accountRoot: join(root, 'account') })
  await emulator.start()
})

t.teardown(async () => {
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
})

const mount = (...args: string[]) => startMountChild(['--backend', 'libfuse3', '--url', emulator.serve('/Drive'), ...args])

t.test('a cold ls -l of a folder of 500 files costs no LOOKUP: readdirplus carries the attributes', async t => {
  const child = await mount()
  t.teardown(() => child.stop())
  const { stdout } = await run('ls', ['-l', join(child.mountpoint, 'many')], { maxBuffer: 16 * MiB })
  t.equal(stdout.trim().split('\n').length, 501, 'total line and 500 files')
  const { kernel } = await child.stats()
  t.equal(kernel!.lookups, 1, 'one LOOKUP, of the folder itself')
  t.ok(kernel!.readdirs >= 1)
  t.comment(`${kernel!.readdirs} READDIRPLUS, ${kernel!.lookups} LOOKUP for 500 files`)
})

t.test('a warm ls of an unchanged folder is answered by the kernel: no READDIR reaches the daemon', async t => {
  const child = await mount()
  t.teardown(() => child.stop())
  const first = (await readdir(join(child.mountpoint, 'many'))).sort()
  // A folder MEGA gives no time shows its newest file's once it is listed:
  // that change of its time makes the kernel read it once more.
  await readdir(join(child.mountpoint, 'many'))
  const before = (await child.stats()).kernel!.readdirs
  t.same((await readdir(join(child.mountpoint, 'many'))).sort(), first)
  t.same((await readdir(join(child.mountpoint, 'many'))).sort(), first)
  t.equal((await child.stats()).kernel!.readdirs, before, 'later ls read the kernel\'s copy')
})

t.test('past its file entry limit the kernel is asked to drop the oldest names: the inode table stays bounded, every file still there', async t => {
  const child = await mount('--kernel-file-entries', '100')
  t.teardown(() => child.stop())
  const listed = async () => (await run('ls', ['-l', join(child.mountpoint, 'many')], { maxBuffer: 16 * MiB })).stdout.trim().split('\n')
  const first = await listed()
  t.equal(first.length, 501, 'total line and 500 files')
  // The kernel forgets a dropped name's inode on its own thread: wait for
  // its FORGETs (a real-world wait on the kernel).
  await waitUntil('the kernel forgot the shed entries', async () => (await child.stats()).kernel!.inodes <= 110, 10_000, 50)
  const { kernel } = await child.stats()
  t.ok(kernel!.inodesShed >= 400, `${kernel!.inodesShed} file entries shed, ${kernel!.inodes} inodes left`)
  t.equal((await stat(join(child.mountpoint, 'many', 'file 0.txt'))).size, 'file 0\n'.length, 'a shed file is looked up again')
  t.same(await listed(), first, 'a second ls -l shows the same files, sizes and times')
})

t.test('a sequential read comes in pieces of 1 MiB', { skip: !isRoot && 'raising the mount\'s readahead needs root' }, async t => {
  const child = await mount()
  t.teardown(() => child.stop())
  t.equal(sha256(await nodeFs.readFile(join(child.mountpoint, 'big.bin'))), sha256(patternBuffer(64 * MiB, 5)))
  const { kernel } = await child.stats()
  t.equal(kernel!.readaheadKb, 1024)
  t.equal(kernel!.largestReadBytes, MiB, 'reads of 1 MiB')
  t.ok(kernel!.reads <= 64 + 8, `64 MiB in ${kernel!.reads} reads`)
})

t.test('SIGKILL: within 2 s the mountpoint is an ordinary empty folder, and mounts again cleanly', async t => {
  const child = await mount()
  t.teardown(() => child.stop())
  await readdir(child.mountpoint)
  const exited = new Promise(resolve => child.process.once('exit', resolve))
  child.process.kill('SIGKILL')
  await exited
  const started = Date.now()
  // The kernel and fusermount3's watchdog act on their own: poll for it.
  await waitUntil('the mount gone', async () => !(await findMount(child.mountpoint)), 2_000, 50)
  t.ok(Date.now() - started <= 2_000, `gone after ${Date.now() - started} ms`)
  t.same(await readdir(child.mountpoint), [], 'an ordinary empty folder: no "Transport endpoint is not connected"')
  const again = await startMountChild(['--backend', 'libfuse3', '--url', emulator.serve('/Drive')])
  t.teardown(() => again.stop())
  t.ok((await readdir(again.mountpoint)).includes('many'), 'a new mount works')
})

t.test('a file changed on the server, then refresh: stat and cat are new at once, with a kernel TTL of 60 s', async t => {
  await writeFile(join(drive, 'doc.txt'), 'version one\n')
  const child = await mount('--kernel-ttl-s', '60')
  t.teardown(() => child.stop())
  const file = join(child.mountpoint, 'doc.txt')
  t.equal(await nodeFs.readFile(file, 'utf8'), 'version one\n')
  t.equal((await stat(file)).size, 12)
  await writeFile(join(drive, 'doc.txt'), 'version two, longer\n')
  t.equal((await stat(file)).size, 12, 'the kernel keeps its copy for its TTL')
  await child.command('refresh /doc.txt')
  await waitUntil('the kernel told', async () => (await stat(file)).size === 20, 2_000, 20)
  t.equal(await nodeFs.readFile(file, 'utf8'), 'version two, longer\n', 'new content, not the old pages')
})

t.test('a name the kernel keeps as missing shows at once after a refresh', async t => {
  await mkdir(join(drive, 'neg'))
  const child = await mount('--kernel-ttl-s', '60')
  t.teardown(() => child.stop())
  const file = join(child.mountpoint, 'neg', 'later.txt')
  for (let i = 0; i < 2; i++) await t.rejects(stat(file), { code: 'ENOENT' })
  await writeFile(join(drive, 'neg', 'later.txt'), 'here\n')
  await child.command('refresh /neg')
  await waitUntil('the kernel told', async () => stat(file).then(() => true, () => false), 2_000, 20)
  t.equal(await nodeFs.readFile(file, 'utf8'), 'here\n')
})

t.test('a folder changed on the server shows it within one listing TTL, with no refresh', async t => {
  await mkdir(join(drive, 'live'))
  await writeFile(join(drive, 'live', 'stays.txt'), 'same\n')
  await writeFile(join(drive, 'live', 'grows.txt'), 'short\n')
  await writeFile(join(drive, 'live', 'goes.txt'), 'bye\n')
  const child = await mount('--cache-ttl-ms', '1000', '--kernel-ttl-s', '60', '--manual-time')
  t.teardown(() => child.stop())
  const live = join(child.mountpoint, 'live')
  t.same((await readdir(live)).sort(), ['goes.txt', 'grows.txt', 'stays.txt'])
  t.equal(await nodeFs.readFile(join(live, 'grows.txt'), 'utf8'), 'short\n')
  await stat(join(live, 'goes.txt'))
  // A name that does not exist yet: the kernel keeps the "no" (one lookup
  // for two stats), and must drop it when the listing shows the name.
  const before = (await child.stats()).kernel!.lookups
  for (let i = 0; i < 2; i++) await t.rejects(stat(join(live, 'new.txt')), { code: 'ENOENT' })
  t.equal((await child.stats()).kernel!.lookups - before, 1, 'the second stat of a missing name stays in the kernel')
  await writeFile(join(drive, 'live', 'grows.txt'), 'much longer now\n')
  await rm(join(drive, 'live', 'goes.txt'))
  await writeFile(join(drive, 'live', 'new.txt'), 'new\n')
  // After the listing TTL, the next ls fetches the folder again.
  await child.command('advance 1100') // the core's 1 s listing TTL, on the child's manual time
  t.same((await readdir(live)).sort(), ['grows.txt', 'new.txt', 'stays.txt'], 'ls shows the change')
  await waitUntil('the kernel told of the removal', async () => stat(join(live, 'goes.txt')).then(() => false, () => true), 2_000, 20)
  t.equal(await nodeFs.readFile(join(live, 'new.txt'), 'utf8'), 'new\n')
  t.equal((await stat(join(live, 'grows.txt'))).size, 16, 'the new size at once, TTL or not')
  t.equal(await nodeFs.readFile(join(live, 'grows.txt'), 'utf8'), 'much longer now\n')
  const native = (await child.stats()).kernel!.native
  t.ok(native.notificationsSent > 0)
  t.ok(native.requests > 10 && native.queueWaitMaxMs >= native.queueWaitMeanMs && native.queueWaitMeanMs > 0, 'requests and their wait for the main thread are counted')
})

t.test('fusermount -u from outside: the mount notices it is gone', async t => {
  const child = await mount()
  t.teardown(() => child.stop())
  await run('fusermount', ['-u', child.mountpoint])
  await waitUntil('the loss noticed', async () => (await child.stats()).lost, 5_000, 50)
  t.pass('reported')
})

t.test('closing a written file waits for no answer from JavaScript (no flush)', async t => {
  const child = await mount('--state-dir', join(root, 'closes-state'))
  t.teardown(() => child.stop())
  const folder = join(child.mountpoint, 'closes')
  await mkdir(folder)
  await writeFile(join(folder, 'first.txt'), 'x') // the kernel learns flush is not answered here
  const requests = async () => (await child.stats()).kernel!.native.requests
  const before = await requests()
  for (let i = 0; i < 10; i++) await writeFile(join(folder, `f${i}.txt`), `file ${i}\n`)
  const perFile = ((await requests()) - before) / 10
  // lookup (a new name), create, write, release: a flush would be a fifth.
  t.ok(perFile <= 4.2, `${perFile} requests per file written and closed`)
  t.equal(await nodeFs.readFile(join(folder, 'f9.txt'), 'utf8'), 'file 9\n')
})

t.test('rsync -a: the addon answers the chmod after each create and the stat after each close', async t => {
  const child = await mount('--state-dir', join(root, 'rsync-state'))
  t.teardown(() => child.stop())
  const source = join(root, 'rsync-source')
  await mkdir(source, { recursive: true })
  const mtime = new Date(Date.UTC(2021, 5, 7, 8, 9, 10))
  for (let i = 0; i < 10; i++) {
    await writeFile(join(source, `r${i}.bin`), `rsync file ${i}\n`.repeat(i + 1))
    await nodeFs.utimes(join(source, `r${i}.bin`), mtime, mtime)
  }
  const target = join(child.mountpoint, 'rsynced')
  await mkdir(target)
  await writeFile(join(target, 'first.txt'), 'x') // the kernel learns flush is not answered here
  const before = (await child.stats()).kernel!.native
  await run('rsync', ['-a', `${source}/`, `${target}/`])
  const after = (await child.stats()).kernel!.native
  const perFile = (after.requests - before.requests) / 10
  // Into JavaScript: 3 lookups (the name, the temporary name, the name again
  // before the rename), create, write, release, utimensat, rename; the folder
  // adds a few. fchmod and the stat after close stay in the addon.
  t.ok(perFile <= 8.6, `${perFile} requests per file into JavaScript`)
  t.ok(after.answeredInAddon - before.answeredInAddon >= 20, `${after.answeredInAddon - before.answeredInAddon} answered by the addon`)
  for (let i = 0; i < 10; i++) {
    const st = await stat(join(target, `r${i}.bin`))
    t.equal(st.size, `rsync file ${i}\n`.length * (i + 1))
    t.equal(st.mtimeMs, mtime.getTime(), 'the time rsync set is shown until the upload')
    t.equal(await nodeFs.readFile(join(target, `r${i}.bin`), 'utf8'), `rsync file ${i}\n`.repeat(i + 1))
  }
})

t.test('a chmod answered by the addon never shows a size from before a write', async t => {
  const child = await mount('--state-dir', join(root, 'chmod-state'))
  t.teardown(() => child.stop())
  const folder = join(child.mountpoint, 'modes')
  await mkdir(folder)
  const before = (await child.stats()).kernel!.native.answeredInAddon
  // create (kept), write (the kernel forgets size), chmod, stat: each answer
  // must carry the size after the write.
  const { stdout } = await run('bash', ['-c', `set -e; cd "${folder}"
    exec 3>f.txt; chmod 600 f.txt; printf hello >&3; chmod 640 f.txt; stat -c %s f.txt
    printf ' world' >&3; stat -c %s f.txt; exec 3>&-; chmod 600 f.txt; stat -c %s f.txt
    : > f.txt; chmod 644 f.txt; stat -c %s f.txt`])
  t.same(stdout.trim().split('\n').map(Number), [5, 11, 11, 0])
  t.ok((await child.stats()).kernel!.native.answeredInAddon - before >= 3, 'answered by the addon')
  t.equal(await nodeFs.readFile(join(folder, 'f.txt'), 'utf8'), '')
})
