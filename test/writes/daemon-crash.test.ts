// The built daemon against the bridge emulator, with real mounts:
//  - SIGKILL while uploads are queued and in flight (a slow bridge keeps them
//    there), then a new start: every file reaches the server with the right
//    content, the staging folder ends empty, no temporary name on the server;
//  - the bridge goes down: a copy into a folder already listed succeeds, and
//    when the bridge is back the queue drains with no action by the user.
// The mounts are only touched by child processes (cp, bash), never by this one.
import { execFile, spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { patternBuffer } from '../helpers/fake-remote.js'
import { daemonDirs, daemonMissing, isMounted, startDaemon, stopDaemon, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'
import { startServer, treeDigest } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const MiB = 1024 * 1024

const digestEquals = async (a: string, b: string) => JSON.stringify(await treeDigest(a)) === JSON.stringify(await treeDigest(b))

t.test('SIGKILL with uploads queued and in flight, then a new start', { skip: daemonMissing }, async t => {
  // 1 MB/s shared by every body: 3 MiB of large files keep two PUTs busy.
  const server = await startServer('emulator', { bandwidthBytesPerSec: 1_000_000 })
  const work = await mkdtemp(join(tmpdir(), 'megamount-crash-'))
  const dirs = daemonDirs(work)
  const mountpoint = join(work, 'mnt')
  const source = join(work, 'source')
  await mkdir(mountpoint)
  await mkdir(join(source, 'sub'), { recursive: true })
  for (let i = 0; i < 3; i++) await writeFile(join(source, `large ${i}.bin`), patternBuffer(MiB + i, i + 1))
  for (let i = 0; i < 20; i++) await writeFile(join(source, 'sub', `small ${i}.txt`), `small file ${i}\n`.repeat(i + 1))
  await writeDaemonConfig(dirs, [{ name: 'w', url: server.url, mountpoint, uploadDelayMs: 100 }])
  let daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mountpoint])
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await waitUntil('the mount', () => isMounted(mountpoint))

  // A writer that keeps its file open when the daemon dies.
  const writer = spawn('bash', ['-c', 'exec 3>open.txt; printf "written before the crash\\n" >&3; echo ok; sleep 60'], { cwd: mountpoint, stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => void writer.kill('SIGKILL'))
  await new Promise(r => writer.stdout!.once('data', r))
  await run('cp', ['-r', `${source}/.`, mountpoint])
  const server_ = server.emulator!
  await waitUntil('an upload in flight', () => server_.requests.some(r => r.method === 'PUT' && r.status === 0), 30_000, 20)

  daemon.process.kill('SIGKILL')
  await daemon.exited
  writer.kill('SIGKILL')
  const staging = join(dirs.stateDir, 'mounts', 'w', 'staging')
  const stagedAtCrash = (await readdir(staging)).length
  t.ok(stagedAtCrash >= 3, `${stagedAtCrash} files staged when the daemon died`)
  t.notOk(await digestEquals(server.folder, source), 'the server did not have everything yet')

  await writeFile(join(source, 'open.txt'), 'written before the crash\n')
  daemon = startDaemon(dirs)
  await waitUntil('every file on the server', () => digestEquals(server.folder, source), 120_000, 250)
  await waitUntil('an empty staging folder', async () => (await readdir(staging)).length === 0, 10_000)
  t.same(await treeDigest(server.folder), await treeDigest(source), 'the server holds exactly the files written, no temporary names')
  const journal = await readFile(join(dirs.stateDir, 'mounts', 'w', 'uploads.journal'), 'utf8')
  const live = new Map<string, string>()
  for (const line of journal.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { op: string; id: string }
    live.set(r.id, r.op)
  }
  t.same([...live.values()].filter(op => op !== 'uploaded' && op !== 'discarded'), [], 'no live journal entry')
})

t.test('bridge down: a copy into a known folder succeeds and uploads when it is back', { skip: daemonMissing }, async t => {
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-down-'))
  const dirs = daemonDirs(work)
  const mountpoint = join(work, 'mnt')
  await mkdir(mountpoint)
  await mkdir(join(server.folder, 'known'))
  await writeFile(join(server.folder, 'known', 'old.txt'), 'old\n')
  await writeFile(join(work, 'new.bin'), patternBuffer(300_000, 9))
  await writeDaemonConfig(dirs, [{ name: 'd', url: server.url, mountpoint, uploadDelayMs: 100 }])
  const daemon = startDaemon(dirs)
  t.teardown(async () => {
    await server.emulator!.setMode('normal')
    await stopDaemon(daemon, [mountpoint])
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await waitUntil('the mount', () => isMounted(mountpoint))
  t.equal((await run('ls', [join(mountpoint, 'known')])).stdout, 'old.txt\n')

  await server.emulator!.setMode('down')
  await waitUntil('the daemon to see the bridge down', () => /bridge is down/.test(daemon.log()), 15_000)
  await run('cp', [join(work, 'new.bin'), join(mountpoint, 'known', 'new.bin')])
  t.equal((await run('ls', [join(mountpoint, 'known')])).stdout, 'new.bin\nold.txt\n', 'the copy shows in the mount at once')
  t.equal((await run('cmp', [join(work, 'new.bin'), join(mountpoint, 'known', 'new.bin')])).stdout, '', 'and reads back')
  await new Promise(r => setTimeout(r, 1500)) // real-world wait: give the daemon (another process) the chance to upload, which it must not take
  t.same(await readdir(join(server.folder, 'known')), ['old.txt'], 'not on the server while the bridge is down')

  await server.emulator!.setMode('normal')
  const file = join(server.folder, 'known', 'new.bin')
  await waitUntil('the upload after the bridge came back', async () => (await readFile(file).catch(() => null))?.equals(patternBuffer(300_000, 9)) ?? false, 30_000, 200)
  t.pass('uploaded with no action by the user')
})
