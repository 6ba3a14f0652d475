// Deletes through a real mount over the bridge emulator: by default `rm`
// leaves the data recoverable in /.megamount-trash/ on the server; with
// deleteMode "permanent" it is gone. GNOME's gio (what file managers use)
// works on the mount: list, info, copy, move, and trash, which must not lose
// the data for good (MEGA's DELETE is permanent).
import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { bashOutput as sh } from '../helpers/bash.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'
import { startServer, treeDigest, type TestServer } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const gioMissing = spawnSync('gio', ['help'], { stdio: 'ignore' }).error ? 'gio is not installed: apt-get install libglib2.0-bin' : false
const sha = (s: string) => createHash('sha256').update(s).digest('hex')
const today = () => new Date().toISOString().slice(0, 10)

async function setup(t: Test, deleteMode: 'trash' | 'permanent'): Promise<{ server: TestServer; child: MountChild; work: string }> {
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-trash-'))
  t.teardown(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  await writeFile(join(server.folder, 'doomed.txt'), 'keep me\n')
  await run('bash', ['-c', 'mkdir -p "folder/inner" && echo a > folder/a.txt && echo b > folder/inner/b.txt'], { cwd: server.folder })
  const child = await startMountChild(['--url', server.url, '--state-dir', join(work, 'state'), '--upload-delay-ms', '100', '--delete-mode', deleteMode])
  t.teardown(() => child.stop())
  return { server, child, work }
}

t.test('rm moves to the trash by default, recoverable on the server', async t => {
  const { server, child } = await setup(t, 'trash')
  await sh(child.mountpoint, 'rm doomed.txt && rm -r folder')
  t.equal(await sh(child.mountpoint, 'ls -a'), '.\n..\n', 'the trash folder is hidden from listings')
  const trash = join(server.folder, '.megamount-trash', today())
  t.equal(await readFile(join(trash, 'doomed.txt'), 'utf8'), 'keep me\n')
  t.equal(await readFile(join(trash, 'folder', 'inner', 'b.txt'), 'utf8'), 'b\n')
  t.same((await readdir(server.folder)).sort(), ['.megamount-trash'])
  t.equal(await sh(child.mountpoint, `cat .megamount-trash/${today()}/doomed.txt`), 'keep me\n', 'reachable through the mount by path')
})

t.test('deleteMode permanent: rm is gone for good', async t => {
  const { server, child } = await setup(t, 'permanent')
  const started = Date.now()
  await sh(child.mountpoint, 'rm doomed.txt && rm -r folder')
  t.comment(`rm took ${Date.now() - started} ms`)
  t.same(await readdir(server.folder), [], 'nothing left, no trash folder')
})

t.test('gio list, info, copy, move and trash on the mount', { skip: gioMissing }, async t => {
  const { server, child, work } = await setup(t, 'trash')
  const mp = child.mountpoint
  t.equal(await sh(mp, 'gio list .'), 'doomed.txt\nfolder\n')
  t.match(await sh(mp, 'gio info doomed.txt'), /standard::size: 8\n/)
  await writeFile(join(work, 'local.txt'), 'from gio copy\n')
  await sh(mp, `gio copy "${join(work, 'local.txt')}" copied.txt && gio move copied.txt folder/moved.txt`)
  t.equal(await sh(mp, 'cat folder/moved.txt; ls'), 'from gio copy\ndoomed.txt\nfolder\n')

  const out = await sh(mp, 'gio trash doomed.txt && gio trash folder/moved.txt && echo trashed')
  t.equal(out, 'trashed\n', 'gio trash succeeds')
  t.notOk((await sh(mp, 'ls')).includes('doomed.txt'), 'the file left its folder')
  await child.command('drain')
  // Wherever gio put it, the bytes are still on the server.
  const all = await treeDigest(server.folder)
  const kept = Object.entries(all).filter(([, digest]) => digest === sha('keep me\n')).map(([p]) => p)
  t.ok(kept.length > 0, `the trashed file is still on the server (${kept.join(', ')})`)
  t.ok(Object.values(all).includes(sha('from gio copy\n')), 'and so is the second one')
  t.comment(`server after gio trash: ${Object.keys(all).join(', ')}`)
})
