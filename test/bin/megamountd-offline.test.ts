// Offline folders end to end (the profile's "offline" field): the built
// daemon keeps a folder of 200 files whole on disk without any read, shows
// its progress in status, fetches a file changed on the server again, and
// every pinned file reads byte for byte with the bridge down.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { RestartableDaemon, tearDownOnEmulator, daemonDirs, daemonMissing, mountctlFor, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'
import { patternBuffer } from '../helpers/fake-remote.js'

if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

const dir = await mkdtemp(join(tmpdir(), 'megamount-offline-e2e-'))
const drive = join(dir, 'account', 'Drive')
const files = new Map<string, Buffer>()
for (let i = 0; i < 200; i++) {
  const rel = `Documents/${i % 4 === 0 ? 'Letters/' : ''}doc${i}.bin`
  const content = patternBuffer(i === 9 ? 6 * 1024 * 1024 + 5 : 300 + i * 211, i + 1)
  await mkdir(join(drive, rel, '..'), { recursive: true })
  await writeFile(join(drive, rel), content)
  files.set(rel, content)
}
await mkdir(join(drive, 'Other'), { recursive: true })
await writeFile(join(drive, 'Other', 'not-offline.txt'), 'not pinned\n')
const total = [...files.values()].reduce((a, c) => a + c.length, 0)

const emulator = new BridgeEmulator({ accountRoot: join(dir, 'account'), port: 0 })
await emulator.start()
const url = emulator.serve('/Drive')
const dirs = daemonDirs(dir)
const mountpoint = join(dir, 'mnt')
await writeDaemonConfig(dirs, [{ name: 'drive', url, mountpoint, offline: ['/Documents'], cacheTtlMs: 1_000 }])

type Offline = { state: string; files: number; bytes: number; pinnedFiles: number; pinnedBytes: number; error: string | null }
type Status = { name: string; state: string; offline?: Offline }
const daemon = new RestartableDaemon(dirs, mountpoint)
const { waitFor, mountctl } = mountctlFor<Status>(dirs.socket, { log: daemon.log })

tearDownOnEmulator(t, daemon, emulator, dir)

t.test('an offline folder is kept whole on disk, follows the server, and reads with the bridge down', async t => {
  emulator.resetLog()
  await daemon.start()
  const seen = new Set<string>()
  const s = await waitFor('every file pinned', st => {
    if (st.drive?.offline) seen.add(st.drive.offline.state)
    return st.drive?.offline?.state === 'up to date'
  }, 60_000)
  t.match(s.drive!.offline, { files: 200, bytes: total, pinnedFiles: 200, pinnedBytes: total, error: null }, 'status: all 200 files and their bytes on disk')
  t.ok(seen.size > 0, `progress was shown on the way (${[...seen].join(', ')})`)
  // The next check (every listing TTL) may have begun since: it shows the same totals.
  t.match((await mountctl('status')).stdout, /offline: \/Documents: all 200 files \(.*\) on disk, (up to date|checking for changes)/)
  t.notOk(emulator.requests.some(r => r.method === 'GET' && r.path.includes('Other')), 'nothing outside the folder was fetched')
  t.match((await mountctl('cache', 'drive')).stdout, /200 of them pinned for offline use/)

  // A file changed on the server is fetched again (the folder is checked once per listing TTL).
  const changed = 'Documents/doc5.bin'
  const next = patternBuffer(4321, 777)
  await writeFile(join(drive, changed), next)
  files.set(changed, next)
  const changedAt = Date.now()
  await waitUntil('the changed file fetched again', () => emulator.requests.some(r => r.method === 'GET' && r.path.endsWith('doc5.bin') && r.startedAt >= changedAt), 30_000, 100)
  await waitFor('up to date again', st => st.drive?.offline?.state === 'up to date' && st.drive.offline.pinnedBytes === total - 300 - 5 * 211 + 4321, 30_000)
  t.pass('the new version is on disk')

  await daemon.stop()
  await emulator.setMode('down')
  await daemon.start()
  await waitFor('degraded', st => st.drive?.state === 'degraded', 20_000)
  let wrong = 0
  for (const [rel, content] of files) if (!(await readFile(join(mountpoint, rel))).equals(content)) wrong++
  t.equal(wrong, 0, 'with the bridge down every pinned file reads byte for byte, the changed one new')
})
