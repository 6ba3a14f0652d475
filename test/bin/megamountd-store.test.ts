// The persistent store end to end, as a user sees it at login: the built
// daemon (dist/) in a child process, the bridge emulator in this one, a real
// mount read by child processes only (ls, cat).
//  1. Browse a 10,000-file tree and read 20 files; stop the daemon, take the
//     bridge down, start the daemon: it mounts degraded with the tree's age,
//     ls -R shows the whole tree, the 20 files read byte for byte, an unread
//     file fails at once; the bridge back, mounted within one interval.
//  2. Files changed, added and removed on the server while the daemon was
//     stopped: new content read, never the old bytes; listings follow within
//     one listing TTL.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { RestartableDaemon, tearDownOnEmulator, daemonDirs, daemonMissing, mountctlFor, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'
import { patternBuffer } from '../helpers/fake-remote.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const FOLDERS = 100
const FILES_PER_FOLDER = 100
const CACHE_TTL_MS = 3_000

const dir = await mkdtemp(join(tmpdir(), 'megamount-store-e2e-'))
const drive = join(dir, 'account', 'Drive')
const files = new Map<string, Buffer>()
for (let d = 0; d < FOLDERS; d++) {
  await mkdir(join(drive, `d${d}`), { recursive: true })
  for (let f = 0; f < FILES_PER_FOLDER; f++) {
    const rel = `d${d}/f${f}.txt`
    const content = patternBuffer(40 + ((d * 7 + f * 13) % 300), d * 1000 + f + 1)
    await writeFile(join(drive, rel), content)
    files.set(rel, content)
  }
}
// A few larger files among the 20 read, so reads span many blocks.
for (let i = 0; i < 4; i++) {
  const rel = `d${i}/big${i}.bin`
  const content = patternBuffer(3 * 1024 * 1024 + i * 777, 900 + i)
  await writeFile(join(drive, rel), content)
  files.set(rel, content)
}
const emulator = new BridgeEmulator({ accountRoot: join(dir, 'account'), port: 0 })
await emulator.start()
const url = emulator.serve('/Drive')
const dirs = daemonDirs(dir)
const mountpoint = join(dir, 'mnt')
await writeDaemonConfig(dirs, [{ name: 'drive', url, mountpoint, cacheTtlMs: CACHE_TTL_MS, requestTimeoutMs: 3_000 }])

type Status = { name: string; state: string; store?: { treeAt: string | null; warning: string | null }; lastError: { message: string } | null }
const daemon = new RestartableDaemon(dirs, mountpoint)
const { waitFor, mountctl } = mountctlFor<Status>(dirs.socket, { log: daemon.log })

tearDownOnEmulator(t, daemon, emulator, dir)

const lsR = async () => (await run('ls', ['-R', mountpoint], { maxBuffer: 64 * 1024 * 1024 })).stdout
const read = (rel: string) => readFile(join(mountpoint, rel))
const wanted = [...files.keys()].filter(rel => rel.startsWith('d1/') || rel.startsWith('d0/') || rel.includes('big')).slice(0, 20)

t.test('the login path: mounted at once from the stored tree while the bridge is down', async t => {
  await daemon.start()
  await waitFor('mounted', s => s.drive?.state === 'mounted')
  const tree = await lsR()
  t.equal(tree.split('\n').filter(l => l.endsWith('.txt')).length, FOLDERS * FILES_PER_FOLDER, 'ls -R lists all 10,000 files')
  for (const rel of wanted) t.ok((await read(rel)).equals(files.get(rel)!), `first read of ${rel}`)
  // The last blocks reach the disk a moment after the reads return.
  await new Promise(r => setTimeout(r, 500)) // real-world wait: the daemon's disk writes
  await daemon.stop()

  await emulator.setMode('down')
  const startedInMs = await daemon.start()
  const s = await waitFor('degraded', st => st.drive?.state === 'degraded', 10_000)
  t.pass(`mounted ${startedInMs} ms after the daemon started, with the bridge down (the bench times this)`)
  t.ok(s.drive!.store?.treeAt, `status says the tree is as of ${s.drive!.store?.treeAt}`)
  t.match((await mountctl('status')).stdout, /tree: +as of .* ago\)/, 'and says so to a person')
  t.equal(await lsR(), tree, 'ls -R shows the whole tree as it was')
  for (const rel of wanted) t.ok((await read(rel)).equals(files.get(rel)!), `${rel} byte for byte with the bridge down`)
  await t.rejects(read('d7/f3.txt'), { code: 'EHOSTDOWN' }, 'an unread file fails at once')

  await emulator.setMode('normal')
  const up = Date.now()
  await waitFor('mounted', st => st.drive?.state === 'mounted', 10_000)
  t.pass(`mounted ${Date.now() - up} ms after the bridge came back (health interval 1 s)`)
  t.ok((await read('d7/f3.txt')).equals(files.get('d7/f3.txt')!), 'and the unread file reads now')
  await daemon.stop()
})

t.test('no stale content: what changed on the server while the daemon was stopped', async t => {
  // 5 files that were read change (two keep their size), one is added, one removed.
  const changed = wanted.slice(0, 5)
  for (const [i, rel] of changed.entries()) {
    const old = files.get(rel)!
    const next = patternBuffer(i < 2 ? old.length : old.length + 11, 5000 + i)
    await writeFile(join(drive, rel), next)
    files.set(rel, next)
  }
  await writeFile(join(drive, 'd1', 'added.txt'), 'added while stopped\n')
  await unlink(join(drive, 'd1', 'f50.txt'))

  await daemon.start()
  for (const rel of changed) t.ok((await read(rel)).equals(files.get(rel)!), `${rel}: the new content`)
  for (const rel of wanted.slice(5)) t.ok((await read(rel)).equals(files.get(rel)!), `${rel}: unchanged, still right`)
  const listed = Date.now()
  await waitUntil(
    'the listing to show the changes',
    async () => {
      const names = (await run('ls', [join(mountpoint, 'd1')])).stdout.split('\n')
      return names.includes('added.txt') && !names.includes('f50.txt')
    },
    CACHE_TTL_MS + 5_000,
    100,
  )
  t.pass(`the listing followed ${Date.now() - listed} ms after the first look (listing TTL ${CACHE_TTL_MS} ms)`)
  await daemon.stop()
})
