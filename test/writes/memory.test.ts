// Writing a large file through a real mount keeps the daemon's resident
// memory bounded: the data goes to the staged file on disk and the upload
// streams from there. 256 MiB runs always; MEGAMOUNT_TEST_1GIB=1 adds 1 GiB
// (docs/writes.md records its figure). Peak RSS is the daemon's VmHWM.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { daemonDirs, daemonMissing, isMounted, peakResidentBytes, startDaemon, stopDaemon, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'
import { sha256File, startServer } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const LIMIT_BYTES = 200 * MiB
const SIZES_MIB = process.env.MEGAMOUNT_TEST_1GIB === '1' ? [256, 1024] : [256]

for (const sizeMiB of SIZES_MIB) {
  t.test(`${sizeMiB} MiB through the mount: daemon peak RSS under 200 MiB`, { skip: daemonMissing }, async t => {
    const server = await startServer('emulator')
    const work = await mkdtemp(join(tmpdir(), 'megamount-memory-'))
    const dirs = daemonDirs(work)
    const mountpoint = join(work, 'mnt')
    await mkdir(mountpoint)
    await writeDaemonConfig(dirs, [{ name: 'm', url: server.url, mountpoint, uploadDelayMs: 100 }])
    const daemon = startDaemon(dirs)
    t.teardown(async () => {
      await stopDaemon(daemon, [mountpoint])
      await server.stop()
      await rm(work, { recursive: true, force: true })
    })
    await waitUntil('the mount', () => isMounted(mountpoint))
    const source = join(work, 'big.bin')
    await run('bash', ['-c', `head -c ${sizeMiB * MiB} /dev/urandom > "${source}"`])
    const before = await peakResidentBytes(daemon.pid)

    let started = Date.now()
    await run('dd', [`if=${source}`, `of=${join(mountpoint, 'big.bin')}`, 'bs=1M', 'status=none'])
    const writeMs = Date.now() - started
    started = Date.now()
    const onServer = join(server.folder, 'big.bin')
    await waitUntil('the upload', async () => (await stat(onServer).catch(() => null))?.size === sizeMiB * MiB, 600_000, 250)
    const uploadMs = Date.now() - started
    const peak = await peakResidentBytes(daemon.pid)
    t.equal(await sha256File(onServer), await sha256File(source), 'the server has the file')
    t.comment(`${sizeMiB} MiB: write ${writeMs} ms, upload ${uploadMs} ms, daemon peak RSS ${(before / MiB).toFixed(0)} MiB before, ${(peak / MiB).toFixed(0)} MiB after`)
    t.ok(peak < LIMIT_BYTES, `peak RSS ${(peak / MiB).toFixed(1)} MiB < 200 MiB`)
  })
}
