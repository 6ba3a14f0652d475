// A mount whose serving process was killed: cleanStaleMount finds it and
// clears it so the folder can be mounted again.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { cleanStaleMount } from '../../src/fuse/mount.js'
import { findMount } from '../../src/mount-table.js'
import { silentLogger } from '../../src/log.js'
import { startMountChild } from '../helpers/mount-child-process.js'

t.test('an unused folder is clean', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-stale-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  t.equal(await cleanStaleMount(dir, silentLogger), 'clean')
  t.equal(await cleanStaleMount(join(dir, 'missing'), silentLogger), 'clean')
})

// libfuse 3 mounts with auto_unmount: a killed process leaves no mount to
// clean (test/fuse/libfuse3/auto-unmount.test.ts); fuse-native's does.
t.test('the mount of a killed fuse-native process is cleaned', { skip: process.platform !== 'linux' && 'Linux only' }, async t => {
  const child = await startMountChild(['--backend', 'fuse-native'])
  t.teardown(() => child.stop())
  const exited = new Promise(resolve => child.process.once('exit', resolve))
  child.process.kill('SIGKILL')
  await exited
  t.ok(await findMount(child.mountpoint), 'left in the mount table')
  t.equal(await cleanStaleMount(child.mountpoint, silentLogger), 'cleaned')
  t.notOk(await findMount(child.mountpoint), 'gone')
  t.equal(await cleanStaleMount(child.mountpoint, silentLogger), 'clean')
})

t.test('a mount of another filesystem is refused, not unmounted', { skip: process.platform !== 'linux' && 'Linux only' }, async t => {
  await t.rejects(cleanStaleMount('/proc', silentLogger), /already a mount point of another filesystem \(proc/)
})
