// kill -9 of the built daemon while programs are writing through a real
// mount: one over a file the server has, one a new file. After the restart
// the original is unchanged on the server, the unfinished copy is beside it
// under a conflict name, the new file is uploaded as it is, and status,
// `mountctl uploads` and the log say so. The mount is only touched by child
// processes (bash), never by this one.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { patternBuffer } from '../helpers/fake-remote.js'
import { daemonDirs, daemonMissing, isMounted, mountctlFor, startDaemon, stopDaemon, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'
import { startServer } from '../helpers/webdav-servers.js'

interface Status {
  name: string
  uploads?: { unfinished?: { path: string; originalPath: string | null; bytes: number; uploaded: boolean }[] }
}

t.test('kill -9 while programs write: the original stays, the unfinished copy goes beside it', { skip: daemonMissing }, async t => {
  // 200 kB/s for every body: the recovered uploads stay visible for a moment.
  const server = await startServer('emulator', { bandwidthBytesPerSec: 200_000 })
  const work = await mkdtemp(join(tmpdir(), 'megamount-unfinished-'))
  const dirs = daemonDirs(work)
  const mountpoint = join(work, 'mnt')
  await mkdir(mountpoint)
  const original = patternBuffer(400_000, 71)
  const partial = patternBuffer(300_000, 72)
  await writeFile(join(server.folder, 'report.pdf'), original)
  await writeFile(join(work, 'partial.bin'), partial)
  await writeDaemonConfig(dirs, [{ name: 'w', url: server.url, mountpoint, uploadDelayMs: 100 }])
  let daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mountpoint])
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await waitUntil('the mount', () => isMounted(mountpoint))

  // Both files stay open when the daemon dies, as a copy cut off midway.
  const script = `exec 3>report.pdf 4>new.bin; cat ${join(work, 'partial.bin')} >&3; printf 'a new file\\n' >&4; echo ok; sleep 60`
  const writer = spawn('bash', ['-c', script], { cwd: mountpoint, stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void writer.kill('SIGKILL'))
  await new Promise(r => writer.stdout!.once('data', r))
  daemon.process.kill('SIGKILL')
  await daemon.exited
  writer.kill('SIGKILL')
  t.ok((await readFile(join(server.folder, 'report.pdf'))).equals(original), 'nothing uploaded before the crash')

  daemon = startDaemon(dirs)
  const { mountctl, waitFor } = mountctlFor<Status>(dirs.socket)
  // Polled as soon as the socket answers: the uploads take a couple of seconds.
  const uploadsSeen = await waitUntilOutput(() => mountctl('uploads', 'w'), /unfinished/, 30_000)
  t.match(uploadsSeen, /report \(unfinished \d{4}-\d\d-\d\d \d\d\.\d\d\)\.pdf\s+\S+ unfinished/, 'mountctl uploads marks the conflict copy')
  t.match(uploadsSeen, /unfinished: still being written when the daemon stopped; \/report\.pdf is left as it was/)

  const done = await waitFor('both unfinished files uploaded', s => (s.w?.uploads?.unfinished ?? []).filter(u => u.uploaded).length === 2, 60_000)
  const unfinished = done.w!.uploads!.unfinished!.sort((a, b) => (a.path < b.path ? -1 : 1))
  t.match(unfinished, [
    { path: '/new.bin', originalPath: null, bytes: 11, uploaded: true },
    { path: /^\/report \(unfinished \d{4}-\d\d-\d\d \d\d\.\d\d\)\.pdf$/, originalPath: '/report.pdf', bytes: partial.length, uploaded: true },
  ])
  const conflictName = unfinished[1]!.path.slice(1)
  t.same((await readdir(server.folder)).sort(), ['new.bin', conflictName, 'report.pdf'].sort())
  t.ok((await readFile(join(server.folder, 'report.pdf'))).equals(original), 'the original on the server is unchanged')
  t.ok((await readFile(join(server.folder, conflictName))).equals(partial), 'the unfinished copy is beside it, as written')
  t.equal(await readFile(join(server.folder, 'new.bin'), 'utf8'), 'a new file\n', 'the new file is uploaded as it is')

  const status = (await mountctl('status')).stdout
  t.match(status, /unfinished: \/report\.pdf was still being written when the daemon stopped: uploaded as \/report \(unfinished .*\)\.pdf, the original is left as it was/)
  t.match(status, /unfinished: \/new\.bin \(new\) was still being written when the daemon stopped: uploaded as it is/)
  t.match(daemon.log(), /its unfinished copy is uploaded beside it under a new name/, 'the log says so at recovery')
  t.match(daemon.log(), /uploaded the unfinished copy beside the original/, 'and at the upload')
})

async function waitUntilOutput(run: () => Promise<{ stdout: string }>, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    last = (await run()).stdout
    if (pattern.test(last)) return last
    // A real-world wait: the daemon is starting and uploading.
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${pattern}; last output:\n${last}`)
}
