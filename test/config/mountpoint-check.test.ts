import t from 'tap'
import { mkdtemp, mkdir, realpath, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkMountpoint, fsNameFor, mountpointInsideMegamount, resolveMountpoint } from '../../src/config/mountpoint-check.js'

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

t.test('a mountpoint inside a megamount mount is refused, at any depth, whoever mounted it', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'mm-mpcheck-'))
  t.teardown(() => import('node:fs/promises').then(fs => fs.rm(dir, { recursive: true, force: true })))
  const photos = { source: 'megamount:photos', mountpoint: join(dir, 'Photos'), type: 'fuse.megamount' }
  const older = { source: 'megamount:work', mountpoint: join(dir, 'Work'), type: 'fuse' }
  for (const [mp, owner] of [[join(dir, 'Photos', 'sub'), photos], [join(dir, 'Work', 'a', 'b'), older]] as const) {
    const problem = await checkMountpoint(mp, { mountTable: [photos, older] })
    t.match(problem?.problem, `is inside the megamount mount "${owner.source.slice(10)}" at ${owner.mountpoint}`)
    t.match(problem?.hint, /MEGA folder/)
  }
  t.match(await mountpointInsideMegamount(join(dir, 'Photos', 'x'), [photos]), { mountpoint: photos.mountpoint })
  t.equal(await mountpointInsideMegamount(join(dir, 'Photos2'), [photos]), null, 'a sibling with a common prefix is not inside')
  t.equal(await mountpointInsideMegamount(join(dir, 'Photos'), [photos]), null, 'its own mountpoint is not inside')
  const rclone = { source: 'remote:', mountpoint: dir, type: 'fuse.rclone' }
  t.equal(await checkMountpoint(join(dir, 'missing'), { mountTable: [rclone] }), null, 'inside other file systems is fine')
})

t.test('resolveMountpoint follows links in the path, also to a folder not made yet', async t => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'mm-mpcheck-')))
  t.teardown(() => import('node:fs/promises').then(fs => fs.rm(dir, { recursive: true, force: true })))
  await mkdir(join(dir, 'real'))
  await symlink(join(dir, 'real'), join(dir, 'link'))
  await symlink('real/later', join(dir, 'dangling'))
  t.equal(await resolveMountpoint(join(dir, 'link')), join(dir, 'real'))
  t.equal(await resolveMountpoint(join(dir, 'link', 'new', 'deeper')), join(dir, 'real', 'new', 'deeper'))
  t.equal(await resolveMountpoint(join(dir, 'dangling')), join(dir, 'real', 'later'), 'a link to a missing folder: its target')
  t.equal(await resolveMountpoint(join(dir, 'plain')), join(dir, 'plain'))
  await symlink('loop', join(dir, 'loop'))
  await t.rejects(resolveMountpoint(join(dir, 'loop')), { code: 'ELOOP' })
})
