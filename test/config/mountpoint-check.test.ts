import t from 'tap'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkMountpoint, fsNameFor } from '../../src/config/mountpoint-check.js'

t.test('fsNameFor names mounts megamount:NAME', async t => {
  t.equal(fsNameFor('a'), 'megamount:a')
})

t.test('checkMountpoint: missing, empty, not empty, a file, mounted by others or by us', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'mm-mpcheck-'))
  t.teardown(() => import('node:fs/promises').then(fs => fs.rm(dir, { recursive: true, force: true })))
  const empty = join(dir, 'empty')
  const full = join(dir, 'full')
  const file = join(dir, 'file')
  await mkdir(empty)
  await mkdir(full)
  await writeFile(join(full, 'x'), 'x')
  await writeFile(file, 'x')
  t.equal(await checkMountpoint(join(dir, 'missing'), { mountTable: [] }), null)
  t.equal(await checkMountpoint(empty, { mountTable: [] }), null)
  t.match((await checkMountpoint(full, { mountTable: [] }))?.problem, /is not empty/)
  t.match((await checkMountpoint(file, { mountTable: [] }))?.problem, /not a folder/)
  const rclone = { source: 'remote:', mountpoint: empty, type: 'fuse.rclone' }
  t.match((await checkMountpoint(empty, { mountTable: [rclone] }))?.problem, /already the mountpoint of fuse\.rclone/)
  const ours = { source: 'megamount:x', mountpoint: full, type: 'fuse.megamount' }
  t.equal(await checkMountpoint(full, { mountTable: [ours] }), null, 'our own mount, live or dead, is fine')
  t.equal(await checkMountpoint(full, { mountTable: [], ownMountpoints: new Set([full]) }), null)
})
