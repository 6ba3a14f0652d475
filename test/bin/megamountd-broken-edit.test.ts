// Issue 9, must-show 3: a typo saved into mounts.json, applied by the file
// watcher or by SIGHUP, leaves every mount mounted and readable; status names
// the field; the fixed file is applied.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { daemonDirs, daemonMissing, isMounted, mountctlFor, startDaemon, stopDaemon, waitUntil } from '../helpers/daemon-process.js'

type Status = { name: string; state: string; readOnly: boolean; profileError: { message: string; hint: string } | null }

t.test('a broken live edit and a broken SIGHUP keep the mount; fixing applies', { skip: daemonMissing }, async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmtypo-'))
  const account = path.join(dir, 'account')
  await fs.mkdir(path.join(account, 'Photos'), { recursive: true })
  await fs.writeFile(path.join(account, 'Photos', 'a.txt'), 'still here\n')
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0 })
  await emulator.start()
  const url = emulator.serve('/Photos')
  const dirs = daemonDirs(dir)
  const mountpoint = path.join(dir, 'mnt', 'photos')
  const write = (profile: object) => fs.writeFile(dirs.config, JSON.stringify({ settings: { healthIntervalSeconds: 1 }, mounts: [profile] }, null, 2))
  await write({ name: 'photos', url, mountpoint })
  const daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mountpoint])
    await emulator.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const { mountctl, waitFor } = mountctlFor<Status>(dirs.socket)
  await waitFor('photos mounted', s => s.photos?.state === 'mounted', 30_000)

  // Saved with a typo: the watcher applies it about half a second later.
  await write({ name: 'photos', url, mountpont: mountpoint })
  let s = await waitFor('the typo shown', s => Boolean(s.photos?.profileError))
  t.equal(s.photos!.state, 'mounted')
  t.match(s.photos!.profileError!.message, /field "mountpont": unknown field; did you mean "mountpoint"\?/)
  t.ok(await isMounted(mountpoint), 'still in the mount table')
  t.equal(await fs.readFile(path.join(mountpoint, 'a.txt'), 'utf8'), 'still here\n', 'and readable')
  let r = await mountctl('status')
  t.equal(r.code, 1)
  t.match(r.stdout, /invalid in the file, running as it was: .*"mountpont"/)
  t.match(daemon.log(), /profile invalid in the file: kept as it was/)
  t.notMatch(daemon.log(), /removed from the file/)

  // Fixed, with a change: applied.
  await write({ name: 'photos', url, mountpoint, readOnly: true })
  s = await waitFor('the fix applied', s => s.photos?.readOnly === true && s.photos.state === 'mounted' && !s.photos.profileError)
  t.equal(await fs.readFile(path.join(mountpoint, 'a.txt'), 'utf8'), 'still here\n')

  // A broken value, then SIGHUP at once.
  await write({ name: 'photos', url: url + '?oops', mountpoint, readOnly: true })
  daemon.process.kill('SIGHUP')
  s = await waitFor('the SIGHUP typo shown', s => Boolean(s.photos?.profileError))
  t.match(s.photos!.profileError!.message, /field "url": must not contain a query/)
  t.equal(s.photos!.state, 'mounted')
  t.equal(await fs.readFile(path.join(mountpoint, 'a.txt'), 'utf8'), 'still here\n')
  await write({ name: 'photos', url, mountpoint, readOnly: true })
  daemon.process.kill('SIGHUP')
  await waitFor('fixed again', s => s.photos?.state === 'mounted' && !s.photos.profileError)
  r = await mountctl('status')
  t.equal(r.code, 0)
  await waitUntil('still mounted', () => isMounted(mountpoint), 1_000)
})
