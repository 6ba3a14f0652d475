// A readOnly profile through a real mount over the bridge emulator: every
// kind of change fails with EROFS ("Read-only file system") and the server
// sees no change at all, neither content nor times nor any write request.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startMountChild } from '../helpers/mount-child-process.js'
import { startServer, treeDigest } from '../helpers/webdav-servers.js'

const run = promisify(execFile)

const ATTEMPTS: Record<string, string> = {
  create: 'touch new.txt',
  'create with O_EXCL': 'set -o noclobber; echo x > new2.txt',
  write: 'printf x | dd of=a.txt conv=notrunc status=none',
  append: 'echo more >> a.txt',
  'open with O_TRUNC': 'echo new > a.txt',
  truncate: 'truncate -s 0 a.txt',
  rename: 'mv a.txt b.txt',
  'rename a folder': 'mv folder folder2',
  unlink: 'rm a.txt',
  mkdir: 'mkdir newfolder',
  rmdir: 'rmdir "empty folder"',
  chmod: 'chmod 600 a.txt',
  chown: 'chown 1:1 a.txt',
  utimens: "touch -d '2020-01-02' a.txt",
  'utimens now': 'touch a.txt',
  'copy in': 'cp /etc/hostname folder/',
}

t.test('readOnly: every change through the mount is EROFS, the server unchanged', async t => {
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-ro-'))
  t.teardown(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await writeFile(join(server.folder, 'a.txt'), 'original\n')
  await mkdir(join(server.folder, 'folder'))
  await writeFile(join(server.folder, 'folder', 'inner.txt'), 'inner\n')
  await mkdir(join(server.folder, 'empty folder'))
  const before = await treeDigest(server.folder)
  const mtimeBefore = (await stat(join(server.folder, 'a.txt'))).mtimeMs
  const child = await startMountChild(['--url', server.url, '--state-dir', join(work, 'state'), '--read-only'])
  t.teardown(() => child.stop())
  server.emulator!.resetLog()

  for (const [what, script] of Object.entries(ATTEMPTS)) {
    const result = await run('bash', ['-c', script], { cwd: child.mountpoint }).then(
      () => 'succeeded',
      (err: { stderr: string }) => err.stderr,
    )
    t.match(result, /Read-only file system/, what)
  }
  t.equal((await run('cat', [join(child.mountpoint, 'a.txt')])).stdout, 'original\n', 'reads still work')
  t.same(await treeDigest(server.folder), before, 'the server tree is unchanged')
  t.equal((await stat(join(server.folder, 'a.txt'))).mtimeMs, mtimeBefore, 'times unchanged')
  const writes = server.emulator!.requests.filter(r => !['GET', 'PROPFIND', 'HEAD'].includes(r.method))
  t.same(writes.map(r => `${r.method} ${r.path}`), [], 'no write request reached the server')
})
