// The persistent store through a real mount over the bridge emulator: a
// mount started with the bridge down shows the tree and the content the last
// one fetched, fails the rest at once, and offline folders are on disk
// without a read. Each mount lives in a child process (mount-child.ts).
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { patternBuffer } from '../helpers/fake-remote.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'
import { waitUntil } from '../helpers/wait-until.js'

const run = promisify(execFile)
let emulator: BridgeEmulator
let root: string
let url: string
const files = new Map<string, Buffer>()
const children: MountChild[] = []

t.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'megamount-store-mount-'))
  for (let d = 0; d < 4; d++) {
    for (let f = 0; f < 8; f++) {
      const rel = `Docs/d${d}/f${f}.txt`
      const content = patternBuffer(200 + d * 40_000 + f * 3_000, d * 8 + f + 1)
      await mkdir(join(root, 'account', 'Drive', 'Docs', `d${d}`), { recursive: true })
      await writeFile(join(root, 'account', 'Drive', rel), content)
      files.set(rel, content)
    }
  }
  emulator = new BridgeEmulator({ accountRoot: join(root, 'account') })
  await emulator.start()
  url = emulator.serve('/Drive')
})

t.afterEach(async () => {
  for (const child of children.splice(0)) await child.stop()
  await emulator.setMode('normal')
})

t.teardown(async () => {
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
})

async function mount(state: string, ...extra: string[]): Promise<MountChild> {
  const child = await startMountChild(['--url', url, '--state-dir', state, '--store', '--disk-cache-mib', '256', ...extra])
  children.push(child)
  return child
}

const lsR = async (mp: string) => (await run('ls', ['-R', mp])).stdout.replaceAll(mp, 'MNT')

t.test('started with the bridge down, a mount shows the stored tree and reads what was read', async t => {
  const state = join(root, 'state-login')
  let child = await mount(state)
  const tree = await lsR(child.mountpoint)
  const read = [...files.keys()].filter(rel => rel.startsWith('Docs/d1/') || rel.startsWith('Docs/d2/'))
  for (const rel of read) t.ok((await readFile(join(child.mountpoint, rel))).equals(files.get(rel)!), `first read of ${rel}`)
  // The last blocks reach the disk a moment after the reads return.
  await new Promise(r => setTimeout(r, 300)) // real-world wait: the mount child's disk writes
  await child.stop()

  await emulator.setMode('down')
  child = await mount(state, '--bridge-down')
  t.equal(await lsR(child.mountpoint), tree, 'ls -R shows the whole tree as it was')
  for (const rel of read) t.ok((await readFile(join(child.mountpoint, rel))).equals(files.get(rel)!), `${rel} byte for byte`)
  const started = Date.now()
  await t.rejects(readFile(join(child.mountpoint, 'Docs/d3/f1.txt')), { code: 'EHOSTDOWN' }, 'an unread file fails')
  t.ok(Date.now() - started < 2000, 'at once')
})

t.test('an offline folder is on disk without a read, and reads with the bridge down', async t => {
  const state = join(root, 'state-offline')
  let child = await mount(state, '--offline', '/Docs/d3')
  const wanted = [...files.keys()].filter(rel => rel.startsWith('Docs/d3/'))
  const bytes = wanted.reduce((a, rel) => a + files.get(rel)!.length, 0)
  const vfs = async () => ((await child.stats()) as unknown as { vfs: { offline: { state: string; pinnedBytes: number } } }).vfs
  await waitUntil('the offline folder on disk', async () => (await vfs()).offline.state === 'up to date', 20_000, 100)
  t.equal((await vfs()).offline.pinnedBytes, bytes)
  await child.stop()
  await emulator.setMode('down')
  child = await mount(state, '--offline', '/Docs/d3', '--bridge-down')
  t.same((await readdir(join(child.mountpoint, 'Docs', 'd3'))).sort(), wanted.map(rel => rel.split('/')[2]).sort())
  for (const rel of wanted) t.ok((await readFile(join(child.mountpoint, rel))).equals(files.get(rel)!), `${rel} byte for byte`)
})
