// Issue 9, must-show 4: `fusermount -u` on a mount while an upload is in
// flight. Within 5 s status says unmounted, with the reason; the upload stays
// in the journal; `mountctl mount` mounts again at once, and the upload then
// finishes. The bridge is slow (300 kB/s), so the upload is still running
// when the mount is taken away.
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { daemonDirs, daemonMissing, isMounted, mountctlFor, startDaemon, stopDaemon, waitUntil } from '../helpers/daemon-process.js'

const run = promisify(execFile)

type Uploads = { queued: number; uploading: number; inJournal: boolean }
type Status = { name: string; state: string; wanted: boolean; uploads: Uploads; lastError: { message: string; hint: string } | null }

t.test('fusermount -u is noticed within 5 s; mount again at once; the upload resumes', { skip: daemonMissing }, async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmext-'))
  const account = path.join(dir, 'account')
  await fs.mkdir(path.join(account, 'Big'), { recursive: true })
  await fs.mkdir(path.join(dir, 'uploads'))
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0, uploadTempDir: path.join(dir, 'uploads'), bandwidthBytesPerSec: 300_000 })
  await emulator.start()
  const dirs = daemonDirs(dir)
  const mountpoint = path.join(dir, 'mnt', 'big')
  await fs.writeFile(
    dirs.config,
    JSON.stringify({ settings: { healthIntervalSeconds: 1 }, mounts: [{ name: 'big', url: emulator.serve('/Big'), mountpoint, uploadDelayMs: 0, requestTimeoutMs: 30_000 }] }),
  )
  const daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mountpoint])
    await emulator.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const { mountctl, waitFor } = mountctlFor<Status>(dirs.socket)
  await waitFor('big mounted', s => s.big?.state === 'mounted', 30_000)

  const content = Buffer.alloc(3_000_000, 7)
  await fs.writeFile(path.join(dir, 'src.bin'), content)
  await run('cp', [path.join(dir, 'src.bin'), path.join(mountpoint, 'video.bin')])
  await waitFor('the upload running', s => s.big!.uploads.uploading === 1, 10_000)

  const unmountedAt = Date.now()
  await run('fusermount', ['-u', mountpoint])
  const s = await waitFor('big unmounted', s => s.big?.state === 'unmounted', 30_000)
  // Timed by the daemon's own log line: each status poll here starts a
  // mountctl process, which alone can take seconds on a busy machine.
  const noticed = daemon.log().split('\n').find(l => l.includes('the mount was removed from outside megamount'))
  const noticedMs = (JSON.parse(noticed!) as { time: number }).time - unmountedAt
  t.ok(noticedMs < 5_000, `noticed ${noticedMs} ms after fusermount -u started`)
  t.equal(s.big!.wanted, false)
  t.match(s.big!.lastError, { message: /unmounted from outside megamount/, hint: /mountctl mount big/ })
  t.match(s.big!.uploads, { queued: 1, inJournal: true }, 'the upload waits in the journal')
  t.match(daemon.log(), /the mount was removed from outside megamount/)
  let r = await mountctl('status')
  t.equal(r.code, 0, 'unmounted on purpose: nothing wanted is missing')
  t.match(r.stdout, /big\s+\S+\s+unmounted\s{2,}\S.*\n(.*\n)*    error: unmounted from outside megamount/, 'not "(not autostart)": the error line says why')

  r = await mountctl('mount', 'big')
  t.equal(r.code, 0, r.stdout + r.stderr)
  t.ok(await isMounted(mountpoint), 'mounted again at once')
  await waitUntil('the upload finished on the server', async () => (await fs.stat(path.join(account, 'Big', 'video.bin')).catch(() => null))?.size === content.length, 60_000)
  t.ok((await fs.readFile(path.join(account, 'Big', 'video.bin'))).equals(content), 'the server copy is whole')
  await waitFor('queue empty', s => s.big!.uploads.queued + s.big!.uploads.uploading === 0, 10_000)
})
