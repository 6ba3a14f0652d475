// `cp -a` of a tree of 1,000 files into a real mount and `rsync -a` back out
// are byte-identical to the source, and once the upload queue is empty the
// server holds the same tree. The 200 MiB file goes once, to the emulator;
// rclone gets the 1,000 small and medium files.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { patternBuffer } from '../helpers/fake-remote.js'
import { startMountChild } from '../helpers/mount-child-process.js'
import { serverMissing, startServer, treeDigest, type ServerKind } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const FILES = 1000

/** 1,000 files in 40 folders (some nested): mostly under 4 KiB, every 50th
 *  between 128 KiB and 1.5 MiB, a few empty; names with spaces and symbols. */
async function makeTree(root: string): Promise<void> {
  for (let i = 0; i < FILES; i++) {
    const folder = join(root, `folder ${i % 20}`, i % 40 >= 20 ? 'inner + more' : '')
    await mkdir(folder, { recursive: true })
    const size = i % 97 === 0 ? 0 : i % 50 === 0 ? 128 * 1024 + i * 1400 : (i * 37) % 4096
    await writeFile(join(folder, `file #${i} & co.bin`), patternBuffer(size, i + 1))
  }
}

for (const kind of ['emulator', 'rclone', 'apache'] as ServerKind[]) {
  t.test(`cp -a and rsync -a of ${FILES} files, ${kind}`, { skip: serverMissing(kind) }, async t => {
    const server = await startServer(kind)
    const work = await mkdtemp(join(tmpdir(), 'megamount-tree-'))
    t.teardown(async () => {
      await server.stop()
      await rm(work, { recursive: true, force: true })
    })
    const source = join(work, 'source', 'tree')
    await makeTree(source)
    if (kind === 'emulator') {
      await run('bash', ['-c', `head -c ${200 * 1024 * 1024} /dev/urandom > "${join(source, 'big 200 MiB.bin')}"`])
    }
    const child = await startMountChild(['--url', server.url, '--state-dir', join(work, 'state'), '--upload-delay-ms', '500'])
    t.teardown(() => child.stop())

    let started = Date.now()
    await run('cp', ['-a', source, child.mountpoint])
    t.comment(`cp -a: ${Date.now() - started} ms`)
    started = Date.now()
    await run('rsync', ['-a', join(child.mountpoint, 'tree') + '/', join(work, 'out') + '/'])
    t.comment(`rsync -a back: ${Date.now() - started} ms`)
    const want = await treeDigest(source)
    t.equal(Object.keys(want).length > FILES, true)
    t.same(await treeDigest(join(work, 'out')), want, 'rsync -a out of the mount gives the source back')

    started = Date.now()
    const snapshot = await child.command<{ failed: unknown[]; totals: { count: number } }>('drain', 600_000)
    t.comment(`queue drained ${Date.now() - started} ms after rsync`)
    t.same(snapshot.failed, [])
    t.equal(snapshot.totals.count, 0, 'nothing left in the queue')
    t.same(await treeDigest(join(server.folder, 'tree')), want, 'the server holds the source tree')
    t.same(await treeDigest(join(work, 'state', 'staging')), {}, 'nothing left staged')
  })
}
