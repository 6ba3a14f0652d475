// The idle memory reducer end to end (src/daemon/idle-reducer.ts): the
// built daemon in a child process, the bridge emulator in this one, a real
// mount crawled by find. Once find has exited and the mount is quiet, the
// daemon gives memory back, and says so in `mountctl status --json`. With
// fuse-native (no addon to ask V8 with) there is no reducer, and nothing fails.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { RestartableDaemon, daemonDirs, daemonMissing, mountctlFor, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const FOLDERS = 60
const FILES_PER_FOLDER = 250

const dir = await mkdtemp(join(tmpdir(), 'megamount-idle-memory-'))
const drive = join(dir, 'account', 'Drive')
for (let d = 0; d < FOLDERS; d++) {
  await mkdir(join(drive, `d${d}`), { recursive: true })
  await Promise.all(Array.from({ length: FILES_PER_FOLDER }, (_, f) => writeFile(join(drive, `d${d}`, `a file with a longer name ${f}.jpg`), '')))
}
const emulator = new BridgeEmulator({ accountRoot: join(dir, 'account'), port: 0 })
await emulator.start()
const url = emulator.serve('/Drive')
const dirs = daemonDirs(dir)
const mountpoint = join(dir, 'mnt')
await writeDaemonConfig(dirs, [{ name: 'drive', url, mountpoint }])

interface Reducer {
  reductions: number
  freedBytes: number
  lastPauseMs: number | null
  lastAtMs: number | null
}
const daemon = new RestartableDaemon(dirs, mountpoint)
const { mountctl } = mountctlFor<{ name: string }>(dirs.socket, { log: daemon.log })
const backendBefore = process.env.MEGAMOUNT_FUSE_BACKEND

t.teardown(async () => {
  await daemon.end()
  if (backendBefore === undefined) delete process.env.MEGAMOUNT_FUSE_BACKEND
  else process.env.MEGAMOUNT_FUSE_BACKEND = backendBefore
  await emulator.stop()
  await rm(dir, { recursive: true, force: true })
})

async function reducer(): Promise<Reducer | null> {
  const r = await mountctl('status', '--json')
  return (JSON.parse(r.stdout) as { idleMemoryReducer: Reducer | null }).idleMemoryReducer
}

async function startWith(backend: string): Promise<void> {
  process.env.MEGAMOUNT_FUSE_BACKEND = backend
  await daemon.start()
}

async function crawl(): Promise<number> {
  const { stdout } = await run('find', [mountpoint], { maxBuffer: 64 * 1024 * 1024 })
  return stdout.split('\n').filter(Boolean).length
}

t.test('libfuse 3: after a crawl, once the mount is quiet, memory is given back', async t => {
  await startWith('libfuse3')
  // Real-world wait: whatever reduction the start itself earned runs now, so
  // the one counted below is the crawl's.
  await new Promise(r => setTimeout(r, 2_000))
  const before = await reducer()
  t.ok(before, 'the reducer is there with the addon')
  t.equal(await crawl(), 1 + FOLDERS * (1 + FILES_PER_FOLDER))
  const crawled = Date.now()
  await waitUntil('a reduction after the crawl', async () => ((await reducer())?.reductions ?? 0) > before!.reductions, 20_000, 250)
  const after = (await reducer())!
  t.ok(after.lastAtMs! >= crawled, 'it ran after find exited, not during the crawl')
  t.ok(after.freedBytes > before!.freedBytes, 'and gave memory back')
  t.ok(after.lastPauseMs! >= 0)
  t.equal(await crawl(), 1 + FOLDERS * (1 + FILES_PER_FOLDER), 'the mount works as before after it')
  await daemon.stop()
})

t.test('fuse-native: no reducer, the mount works', async t => {
  await startWith('fuse-native')
  t.equal(await crawl(), 1 + FOLDERS * (1 + FILES_PER_FOLDER))
  t.equal(await reducer(), null, 'status says there is none')
  await daemon.stop()
})
