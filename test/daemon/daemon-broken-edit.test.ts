// A broken edit of the profile file (a typo saved by an editor, then SIGHUP
// or the file watcher) never unmounts anything: running profiles keep the
// last good version, status says which field is wrong, the fixed file applies.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualTime } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from './fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmbroken-'))
  const configFile = path.join(dir, 'mounts.json')
  const write = (m: object[] | string) => fs.writeFile(configFile, typeof m === 'string' ? m : JSON.stringify({ mounts: m }))
  const mp = (n: string) => path.join(dir, 'mnt', n)
  await write([
    { name: 'photos', url: URL_A, mountpoint: mp('photos') },
    { name: 'work', url: URL_B, mountpoint: mp('work') },
  ])
  const backend = new FakeBackend()
  const daemon = new Daemon({ configFile, socketPath: path.join(dir, 'c.sock'), stateDir: path.join(dir, 'state'), backend, time: new ManualTime(), logger: silentLogger, version: 'test' })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await daemon.start()
  await daemon.idle()
  backend.events.length = 0
  return { dir, daemon, backend, write, mp, configFile }
}

t.test('a typo in one profile keeps it mounted as it was; status names the field; fixing applies', async t => {
  const s = await setup(t)
  await s.write([
    { name: 'photos', url: URL_A, mountpont: s.mp('photos') },
    { name: 'work', url: URL_B, mountpoint: s.mp('work') },
  ])
  const summary = await s.daemon.reload()
  await s.daemon.idle()
  t.same(summary.removed, [], 'nothing removed')
  t.same(summary.failed, ['photos'])
  t.same(s.backend.events, [], 'nothing unmounted or remounted')
  const report = s.daemon.status()
  t.same(report.mounts.map(m => [m.name, m.state]), [['photos', 'mounted'], ['work', 'mounted']], 'one row per profile, both mounted')
  const photos = report.mounts[0]!
  t.match(photos.profileError, { message: /profile "photos" \(mounts\[0\]\): field "mountpont": unknown field; did you mean "mountpoint"\?/, hint: /rename it to "mountpoint"/ })
  t.equal(photos.mountpoint, s.mp('photos'), 'the profile as it was')
  t.equal(report.mounts[1]!.profileError, null)

  // Fixed, and changed at the same time: applied.
  await s.write([
    { name: 'photos', url: URL_A, mountpoint: s.mp('photos'), readOnly: true },
    { name: 'work', url: URL_B, mountpoint: s.mp('work') },
  ])
  const fixed = await s.daemon.reload()
  await s.daemon.idle()
  t.same(fixed.changed, ['photos'])
  t.same(fixed.failed, [])
  t.same(s.backend.events, ['unmount photos', 'mount photos'])
  const after = s.daemon.status().mounts.find(m => m.name === 'photos')!
  t.equal(after.readOnly, true)
  t.equal(after.profileError, null)
})

t.test('fixing back to the running version clears the error without a remount', async t => {
  const s = await setup(t)
  await s.write([{ name: 'photos', url: 'http://127.0.0.1:4443/AAAAAAAA/A?x', mountpoint: s.mp('photos') }, { name: 'work', url: URL_B, mountpoint: s.mp('work') }])
  await s.daemon.reload()
  t.match(s.daemon.status().mounts[0]!.profileError, { message: /field "url"/ })
  await s.write([{ name: 'photos', url: URL_A, mountpoint: s.mp('photos') }, { name: 'work', url: URL_B, mountpoint: s.mp('work') }])
  const summary = await s.daemon.reload()
  t.same(summary.unchanged, ['photos', 'work'])
  t.equal(s.daemon.status().mounts[0]!.profileError, null)
  t.same(s.backend.events, [])
})

t.test('a typo in "name" itself: the nameless entry keeps the mount it stands for', async t => {
  const s = await setup(t)
  await s.write([{ nmae: 'photos', url: URL_A, mountpoint: s.mp('photos') }, { name: 'work', url: URL_B, mountpoint: s.mp('work') }])
  const summary = await s.daemon.reload()
  t.same(summary.removed, [])
  t.same(s.backend.events, [])
  const photos = s.daemon.status().mounts.find(m => m.name === 'photos')!
  t.equal(photos.state, 'mounted')
  t.match(photos.profileError, { message: /mounts\[0\].*"nmae"/ })
  t.equal(s.daemon.status().mounts.length, 2, 'no separate row for the nameless entry')
})

t.test('a profile really removed while another entry is broken and nameless is kept until the file is fixed', async t => {
  const s = await setup(t)
  await s.write([{ url: URL_B, mountpoint: s.mp('elsewhere') }])
  const summary = await s.daemon.reload()
  t.same(summary.removed, [], 'the broken entry could be either of them')
  t.same([...s.backend.mounted.values()].sort(), ['photos', 'work'])
  t.ok(s.daemon.status().mounts.every(m => m.profileError !== null))
  await s.write([{ name: 'work', url: URL_B, mountpoint: s.mp('work') }])
  const fixed = await s.daemon.reload()
  t.same(fixed.removed, ['photos'])
})

t.test('a file that is not JSON: everything stays, status says where the error is, fixing clears it', async t => {
  const s = await setup(t)
  await s.write('{ "mounts": [ { "name": "photos", } ] }')
  await t.rejects(s.daemon.reload(), { message: /not valid JSON/ })
  const report = s.daemon.status()
  t.same(report.mounts.map(m => m.state), ['mounted', 'mounted'])
  t.match(report.daemon.profileFileError, { message: /mounts\.json: is not valid JSON at line 1, column 35/, hint: /fix the syntax there/ })
  await s.write([{ name: 'photos', url: URL_A, mountpoint: s.mp('photos') }, { name: 'work', url: URL_B, mountpoint: s.mp('work') }])
  await s.daemon.reload()
  t.equal(s.daemon.status().daemon.profileFileError, null)
  t.same(s.backend.events, [])
})
