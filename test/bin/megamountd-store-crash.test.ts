// Crash safety of the persistent store, end to end: the built daemon is
// killed with SIGKILL at random moments while files are read and folders
// crawled, ten times, and started again each time; afterwards every read is
// byte for byte the server's (from the bridge, then from disk with the
// bridge down). Bytes flipped in a cached file are found and fetched again,
// and a truncated or garbage database is rebuilt with a warning, and the
// mount comes up.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, open, readFile, truncate, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { RestartableDaemon, tearDownOnEmulator, daemonDirs, daemonMissing, mountctlFor, writeDaemonConfig } from '../helpers/daemon-process.js'
import { patternBuffer } from '../helpers/fake-remote.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const MiB = 1024 * 1024
const dir = await mkdtemp(join(tmpdir(), 'megamount-store-crash-'))
const drive = join(dir, 'account', 'Drive')
const files = new Map<string, Buffer>()
async function add(rel: string, content: Buffer) {
  await mkdir(join(drive, rel, '..'), { recursive: true })
  await writeFile(join(drive, rel), content)
  files.set(rel, content)
}
for (let i = 0; i < 12; i++) await add(`big/b${i}.bin`, patternBuffer(MiB / 2 + i * 300_001, 100 + i))
for (let d = 0; d < 20; d++) for (let f = 0; f < 40; f++) await add(`tree/t${d}/f${f}.txt`, patternBuffer(20 + ((d + f) % 90), d * 100 + f + 1))

const emulator = new BridgeEmulator({ accountRoot: join(dir, 'account'), port: 0 })
await emulator.start()
const url = emulator.serve('/Drive')
const dirs = daemonDirs(dir)
const mountpoint = join(dir, 'mnt')
const storeFile = join(dirs.stateDir, 'mounts', 'drive', 'store.db')
await writeDaemonConfig(dirs, [{ name: 'drive', url, mountpoint, cacheTtlMs: 2_000, requestTimeoutMs: 3_000 }])

type Status = { name: string; state: string; store?: { treeAt: string | null; warning: string | null } }
const daemon = new RestartableDaemon(dirs, mountpoint)
const { waitFor } = mountctlFor<Status>(dirs.socket, { log: daemon.log })

tearDownOnEmulator(t, daemon, emulator, dir)

/** Reads every file through the mount; returns the ones that differ. */
async function wrongFiles(): Promise<string[]> {
  const wrong: string[] = []
  for (const [rel, content] of files) {
    const got = await readFile(join(mountpoint, rel)).catch((err: Error) => Buffer.from(`error: ${err.message}`))
    if (!got.equals(content)) wrong.push(rel)
  }
  return wrong
}

let seed = 12345
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)

t.test('kill -9 ten times during heavy reads and crawls: every later read is byte for byte', async t => {
  const bigs = [...files.keys()].filter(rel => rel.startsWith('big/'))
  for (let round = 0; round < 10; round++) {
    await daemon.start()
    // Reads of whole big files (the disk cache writes them) and a crawl
    // (the store writes listings), in child processes, cut short by the kill.
    const workload = [
      ...Array.from({ length: 3 }, () => spawn('cat', bigs.map(rel => join(mountpoint, rel)).sort(() => random() - 0.5), { stdio: 'ignore' })),
      spawn('find', [join(mountpoint, 'tree')], { stdio: 'ignore' }),
    ]
    await new Promise(r => setTimeout(r, 150 + random() * 1500)) // real-world wait: let the workload run a random while before the kill
    await daemon.end()
    for (const child of workload) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await daemon.start()
  const s = await waitFor('mounted', st => st.drive?.state === 'mounted', 20_000)
  t.equal(s.drive!.store?.warning, null, 'the store survived every kill (no rebuild needed)')
  t.same(await wrongFiles(), [], 'every file reads byte for byte, from the bridge and the disk cache')
  const found = (await run('find', [join(mountpoint, 'tree'), '-type', 'f'])).stdout.trim().split('\n')
  t.equal(found.length, 800, 'the crawl finds every file')
  // Read once more so every file is whole on disk, then from disk alone.
  await new Promise(r => setTimeout(r, 500)) // real-world wait: the daemon's disk writes
  await daemon.end()
  await emulator.setMode('down')
  await daemon.start()
  await waitFor('degraded', st => st.drive?.state === 'degraded', 20_000)
  t.same(await wrongFiles(), [], 'with the bridge down, every file reads byte for byte from disk')
  await daemon.end()
  await emulator.setMode('normal')
})

t.test('bytes flipped in a cached file are detected and fetched again', async t => {
  const rel = 'big/b3.bin'
  const db = new Database(storeFile, { readonly: true })
  const id = db.prepare('SELECT id FROM files WHERE path = ?').pluck().get(`/${rel}`) as number | undefined
  db.close()
  t.ok(id, 'the file is in the cache index')
  const cached = join(dirs.stateDir, 'mounts', 'drive', 'cache', String(id))
  t.equal((await stat(cached)).size, files.get(rel)!.length, 'and whole on disk')
  const fh = await open(cached, 'r+')
  await fh.write(Buffer.from('FLIPPED BYTES'), 0, 13, 400_000)
  await fh.close()
  await daemon.start()
  await waitFor('mounted', st => st.drive?.state === 'mounted', 20_000)
  const gets = emulator.stats().getCount
  t.ok((await readFile(join(mountpoint, rel))).equals(files.get(rel)!), 'the file reads byte for byte')
  t.ok(emulator.stats().getCount > gets, 'the damaged part was fetched again')
  t.match(daemon.child.log(), /cached bytes failed their check/, 'and the log says so')
  await daemon.end()
})

for (const [what, damage] of [
  ['cut in half', async () => truncate(storeFile, Math.floor((await stat(storeFile)).size / 2))],
  ['overwritten with garbage', () => writeFile(storeFile, 'not a database '.repeat(4096))],
] as const) {
  t.test(`a database ${what}: the daemon starts, warns, rebuilds and mounts`, async t => {
    await damage()
    await daemon.start()
    const s = await waitFor('mounted', st => st.drive?.state === 'mounted', 20_000)
    t.match(s.drive!.store?.warning, /rebuilt/, 'status says the store was rebuilt')
    t.match(daemon.child.log(), /stored tree and cache index are damaged: rebuilding them/, 'the log warns')
    t.same(await wrongFiles(), [], 'every file reads byte for byte')
    await daemon.end()
  })
}
