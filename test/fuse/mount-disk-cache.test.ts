// The disk cache through a real mount over the bridge emulator: a file read
// again after the kernel dropped its pages costs no GET, a program reading at
// random gets the file filled in behind it, and cached files stay readable
// while the bridge is down. The mount lives in a child process.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { patternBuffer } from '../helpers/fake-remote.js'
import { sha256 } from '../helpers/fs-cases.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'
import { waitUntil } from '../helpers/wait-until.js'

const MiB = 1024 * 1024
// Larger than the 32 MiB memory budget, so only the disk can answer again.
const big = patternBuffer(48 * MiB, 41)
const db = patternBuffer(24 * MiB, 42)

let emulator: BridgeEmulator
let child: MountChild
let root: string

t.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'megamount-disk-cache-'))
  const drive = join(root, 'account', 'Drive')
  await mkdir(drive, { recursive: true })
  await writeFile(join(drive, 'big.bin'), big)
  await writeFile(join(drive, 'db.bin'), db)
  await writeFile(join(drive, 'never-read.txt'), 'not cached\n')
  emulator = new BridgeEmulator({ accountRoot: join(root, 'account') })
  await emulator.start()
  child = await startMountChild(['--url', emulator.serve('/Drive'), '--state-dir', join(root, 'state'), '--disk-cache-mib', '256'])
})

t.teardown(async () => {
  await child?.stop()
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
})

/** Empties the kernel's page cache (root only: CI runs as root), so a read
 *  reaches the mount instead of being answered by the kernel. FUSE files
 *  ignore posix_fadvise(DONTNEED). */
const canDropPages = process.getuid?.() === 0
const dropPages = () => writeFile('/proc/sys/vm/drop_caches', '1')

const until = (what: string, check: () => boolean) => waitUntil(what, check, 20_000, 50)

t.test('a file read again after the kernel let go of it costs no GET', { skip: canDropPages ? false : 'needs root to empty the page cache' }, async t => {
  const file = join(child.mountpoint, 'big.bin')
  t.equal(sha256(await nodeFs.readFile(file)), sha256(big), 'first read intact')
  // The last downloads reach the disk a moment after the read returns.
  await new Promise(r => setTimeout(r, 300)) // real-world wait: the mount child's disk writes
  await dropPages()
  emulator.resetLog()
  t.equal(sha256(await nodeFs.readFile(file)), sha256(big), 'second read intact')
  t.equal(emulator.stats().getCount, 0, 'no GET: read from the disk cache')
  t.ok((await nodeFs.readdir(join(root, 'state', 'cache'))).length > 0, 'the cache lives in the state folder')
})

t.test('a program reading at random gets the file filled in behind it', async t => {
  const fh = await nodeFs.open(join(child.mountpoint, 'db.bin'), 'r')
  t.teardown(() => fh.close())
  let x = 7
  let bad = 0
  const readSome = async (n: number) => {
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31
      const pos = x % (db.length - 4096)
      const buf = Buffer.alloc(4096)
      const { bytesRead } = await fh.read(buf, 0, 4096, pos)
      if (bytesRead !== 4096 || !buf.equals(db.subarray(pos, pos + 4096))) bad++
    }
  }
  emulator.resetLog()
  await readSome(10)
  await until('the whole file fetched', () => emulator.requests.filter(r => r.method === 'GET').reduce((a, r) => a + r.bytesSent, 0) >= db.length)
  // The last pieces reach the disk a moment after they arrive (real I/O in the mount's process).
  await new Promise(r => setTimeout(r, 300)) // real-world wait: the mount child's disk writes
  emulator.resetLog()
  await readSome(200)
  t.equal(bad, 0, 'every read intact')
  t.equal(emulator.stats().getCount, 0, '200 more random reads cost no GET')
})

t.test('cached files stay readable while the bridge is down', async t => {
  await nodeFs.stat(join(child.mountpoint, 'never-read.txt'))
  await child.command('down')
  t.teardown(() => child.command('up'))
  if (canDropPages) await dropPages()
  t.equal(sha256(await nodeFs.readFile(join(child.mountpoint, 'big.bin'))), sha256(big), 'read from disk')
  await t.rejects(nodeFs.readFile(join(child.mountpoint, 'never-read.txt')), { code: 'EHOSTDOWN' }, 'the rest fails at once')
})
