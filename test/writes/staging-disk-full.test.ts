// A full staging disk through a real mount: the state folder is a 2 MiB
// tmpfs. A copy larger than that fails with "No space left on device" (not
// an I/O error), and what could not be staged never reaches the server as if
// it were the file: it waits, failed, until it is written again or removed.
// Needs root for the tmpfs (CI runs as root).
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { patternBuffer } from '../helpers/fake-remote.js'
import { startMountChild } from '../helpers/mount-child-process.js'
import { startServer } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const sh = (cwd: string, script: string) =>
  run('bash', ['-c', script], { cwd }).then(
    r => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  )

interface Snapshot {
  failed: { path: string; error: { kind: string; message: string } }[]
  queued: unknown[]
}

const notRoot = process.getuid?.() !== 0 ? 'mounting a tmpfs needs root' : false

t.test('a full staging disk: ENOSPC for the writer, nothing incomplete uploaded', { skip: notRoot }, async t => {
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-full-'))
  const state = join(work, 'state')
  await mkdir(state)
  await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', state])
  t.teardown(async () => {
    await run('umount', ['-l', state]).catch(() => {})
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await writeFile(join(server.folder, 'kept.bin'), patternBuffer(100_000, 81))
  await writeFile(join(work, 'big.bin'), patternBuffer(4 * 1024 * 1024, 82))
  const child = await startMountChild(['--url', server.url, '--state-dir', state, '--upload-delay-ms', '100'])
  t.teardown(() => child.stop())

  const copy = await sh(child.mountpoint, `cp ${join(work, 'big.bin')} big.bin`)
  t.not(copy.code, 0, 'the copy fails')
  t.match(copy.out, /No space left on device/, 'with ENOSPC, not an I/O error')
  const over = await sh(child.mountpoint, `cp ${join(work, 'big.bin')} kept.bin`)
  t.match(over.out, /No space left on device/, 'over an existing file too')
  const snapshot = await child.command<Snapshot>('drain')
  t.match(
    snapshot.failed.map(f => [f.path, f.error.kind]).sort(),
    [['/big.bin', 'incomplete'], ['/kept.bin', 'incomplete']],
    'both wait, failed, as incomplete',
  )
  t.same(await readdir(server.folder), ['kept.bin'], 'nothing incomplete reached the server')
  t.ok((await readFile(join(server.folder, 'kept.bin'))).equals(patternBuffer(100_000, 81)), 'the original is untouched')

  // Removing the incomplete copies frees the disk; a new write goes through.
  const freed = await sh(child.mountpoint, 'rm big.bin && printf "fits now\\n" > small.txt')
  t.equal(freed.code, 0, freed.out)
  await child.command('drain')
  t.same((await readdir(server.folder)).sort(), ['kept.bin', 'small.txt'])
  t.equal(await readFile(join(server.folder, 'small.txt'), 'utf8'), 'fits now\n')
})
