// A file just saved through the mount stays readable with MEGAcmd down, end
// to end: the built daemon (dist/) in a child process, the bridge emulator in
// this one, a real mount. Write files, wait for their upload, stop the
// daemon, take the bridge down, start the daemon: it mounts degraded from the
// stored tree and `cat` reads every file byte for byte from the disk cache.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
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

const dir = await mkdtemp(join(tmpdir(), 'megamount-write-cache-e2e-'))
const drive = join(dir, 'account', 'Drive')
await mkdir(join(drive, 'Docs'), { recursive: true })
await writeFile(join(drive, 'Docs', 'older.txt'), 'there before\n')
const emulator = new BridgeEmulator({ accountRoot: join(dir, 'account'), port: 0 })
await emulator.start()
const url = emulator.serve('/Drive')
const dirs = daemonDirs(dir)
const mountpoint = join(dir, 'mnt')
await writeDaemonConfig(dirs, [{ name: 'drive', url, mountpoint, uploadDelayMs: 200 }])

type Status = { name: string; state: string; uploads: { queued: number; uploading: number; failed: number } }
const daemon = new RestartableDaemon(dirs, mountpoint)
const { waitFor } = mountctlFor<Status>(dirs.socket, { log: daemon.log })

tearDownOnEmulator(t, daemon, emulator, dir)

t.test('files just saved read byte for byte after a restart with the bridge down', async t => {
  await daemon.start()
  const files = new Map([
    ['Docs/report.bin', patternBuffer(3 * 1024 * 1024 + 5, 21)],
    ['Docs/note.txt', Buffer.from('saved a moment ago\n')],
    ['new-folder-file.bin', patternBuffer(200_000, 22)],
  ])
  for (const [rel, content] of files) await writeFile(join(mountpoint, rel), content)
  await waitUntil(
    'every file on the server',
    async () => {
      for (const [rel, content] of files) if (!(await readFile(join(drive, rel)).catch(() => null))?.equals(content)) return false
      return true
    },
    30_000,
    100,
  )
  await waitFor('no upload left', st => st.drive?.uploads.queued === 0 && st.drive.uploads.uploading === 0)

  await daemon.stop()
  await emulator.setMode('down')
  await daemon.start()
  await waitFor('degraded', st => st.drive?.state === 'degraded', 20_000)
  for (const [rel, content] of files) {
    const { stdout } = await run('cat', [join(mountpoint, rel)], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 })
    t.ok(stdout.equals(content), `cat ${rel}: byte for byte with the bridge down`)
  }
  await t.rejects(run('cat', [join(mountpoint, 'Docs', 'older.txt')]), 'a file never read fails')
})
