// Real mounts over the MEGA bridge emulator through WebDavRemote: the
// shared functional cases, reads and writes (test/helpers/fs-cases.ts), on a
// writable mount as the daemon makes it, a large tree,
// read-ahead counted by the bridge itself, and random reads that must stay
// ranged. The tap process serves the emulator and reads the mount, one
// operation at a time so its threadpool never blocks on the mount while the
// emulator needs it; the mount itself lives in a child process.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { patternBuffer } from '../helpers/fake-remote.js'
import { runFsCases, sha256, writeFixture } from '../helpers/fs-cases.js'
import { mountDriver } from '../helpers/fs-drivers.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'

const MiB = 1024 * 1024
const FOLDERS = 200
const FILES_PER_FOLDER = 50

const content = (f: number, i: number) => Buffer.from(`folder ${f} file ${i} ${'x'.repeat((f * 7 + i) % 97)}\n`)

const EXTRAS = ['tree', 'big64.bin', 'random.bin']

let emulator: BridgeEmulator
let child: MountChild
let root: string
let served: string
let state: string

t.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'megamount-account-'))
  state = await mkdtemp(join(tmpdir(), 'megamount-state-'))
  served = join(root, 'Test Drive')
  await mkdir(served)
  await writeFixture(served)
  await writeFile(join(served, 'big64.bin'), patternBuffer(64 * MiB, 64))
  await writeFile(join(served, 'random.bin'), patternBuffer(32 * MiB, 3))
  for (let f = 0; f < FOLDERS; f++) {
    const dir = join(served, 'tree', `folder ${f}`)
    await mkdir(dir, { recursive: true })
    for (let i = 0; i < FILES_PER_FOLDER; i++) await writeFile(join(dir, `file ${i}.txt`), content(f, i))
  }
  emulator = new BridgeEmulator({ accountRoot: root })
  await emulator.start()
  const url = emulator.serve('/Test Drive')
  child = await startMountChild(['--url', url, '--state-dir', state])
})

t.teardown(async () => {
  await child?.stop()
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
  await rm(state, { recursive: true, force: true })
})

t.test('functional cases over the emulator', async t => {
  // The root here holds more than the fixture: the tree and the big files.
  const driver = mountDriver(child.mountpoint, { folder: served, extras: EXTRAS, drain: () => child.command('drain') })
  await runFsCases(t, driver, { readOnly: false })
})

t.test(`${FOLDERS * FILES_PER_FOLDER} files in ${FOLDERS} folders list completely and read back`, async t => {
  const folders = await nodeFs.readdir(join(child.mountpoint, 'tree'))
  t.equal(folders.length, FOLDERS)
  let files = 0
  let bad = 0
  for (let f = 0; f < FOLDERS; f++) {
    const dir = join(child.mountpoint, 'tree', `folder ${f}`)
    const names = await nodeFs.readdir(dir)
    files += names.length
    for (let i = 0; i < FILES_PER_FOLDER; i++) {
      if (sha256(await nodeFs.readFile(join(dir, `file ${i}.txt`))) !== sha256(content(f, i))) bad++
    }
  }
  t.equal(files, FOLDERS * FILES_PER_FOLDER)
  t.equal(bad, 0, 'every file read back intact')
})

t.test('64 MiB sequential read costs at most 16 GETs at the bridge', async t => {
  emulator.resetLog()
  const data = await nodeFs.readFile(join(child.mountpoint, 'big64.bin'))
  t.equal(sha256(data), sha256(patternBuffer(64 * MiB, 64)))
  const stats = emulator.stats()
  // 14 where one connection is slow (a GET per window), about 5 where it is
  // fast (the rest of the file streamed in one GET): which one this loaded
  // or idle machine is, the mount measures itself (streamed-windows.ts).
  t.ok(stats.getCount <= 16, `${stats.getCount} GETs`)
  t.comment(`64 MiB in ${stats.getCount} GETs (${stats.rangedGetCount} ranged)`)
})

t.test('random reads are answered 206 and never fetch the whole file', async t => {
  const expected = patternBuffer(32 * MiB, 3)
  emulator.resetLog()
  const fh = await nodeFs.open(join(child.mountpoint, 'random.bin'), 'r')
  t.teardown(() => fh.close())
  let x = 99
  for (let i = 0; i < 20; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31
    const pos = (x % (30 * 1024)) * 1024
    const buf = Buffer.alloc(4096)
    const { bytesRead } = await fh.read(buf, 0, 4096, pos)
    t.equal(bytesRead, 4096)
    if (!buf.equals(expected.subarray(pos, pos + 4096))) t.fail(`bytes at ${pos}`)
  }
  const gets = emulator.requests.filter(r => r.method === 'GET')
  t.ok(gets.length > 0)
  t.same([...new Set(gets.map(r => r.status))], [206], 'every GET answered 206')
  const sent = gets.reduce((a, r) => a + r.bytesSent, 0)
  t.ok(sent < 32 * MiB / 2, `${sent} bytes fetched for 20 random 4 KiB reads`)
})
