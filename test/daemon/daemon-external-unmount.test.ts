// A mount removed from outside (fusermount -u, gio mount -u, a file
// manager's eject) is noticed by the mount-table watch: unmounted, with the
// reason, its uploads kept in the journal; mountctl mount works at once.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { Daemon } from '../../src/daemon/daemon.js'
import { MOUNT_TABLE_INTERVAL_MS } from '../../src/daemon/mount-table-watch.js'
import { ManualTime } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from './fake-backend.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmgone-'))
  const configFile = path.join(dir, 'mounts.json')
  const mp = (n: string) => path.join(dir, 'mnt', n)
  await fs.writeFile(configFile, JSON.stringify({ mounts: [{ name: 'a', url: URL_A, mountpoint: mp('a') }, { name: 'b', url: URL_B, mountpoint: mp('b') }] }))
  const backend = new FakeBackend()
  const time = new ManualTime()
  backend.queueTime = time
  const daemon = new Daemon({ configFile, socketPath: path.join(dir, 'c.sock'), stateDir: path.join(dir, 'state'), backend, time, logger: silentLogger, version: 'test', stopTimeoutMs: 0 })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await daemon.start()
  await daemon.idle()
  return { daemon, backend, time, mp }
}

const stateOf = (d: Daemon, name: string) => d.status().mounts.find(m => m.name === name)!

t.test('noticed within one look: unmounted with the reason, uploads kept in the journal', async t => {
  const s = await setup(t)
  s.backend.queues.get('a')!.set([{ path: '/report.pdf', bytes: 1000, state: 'ready' }])
  s.backend.unmountFromOutside(s.mp('a'))
  t.equal(stateOf(s.daemon, 'a').state, 'mounted', 'not yet looked')
  await s.time.advance(MOUNT_TABLE_INTERVAL_MS)
  await s.daemon.idle()
  const a = stateOf(s.daemon, 'a')
  t.equal(a.state, 'unmounted')
  t.equal(a.wanted, false, 'as if the user ran mountctl unmount')
  t.match(a.lastError, { message: /unmounted from outside megamount/, hint: /mountctl mount a/ })
  t.match(a.uploads, { queued: 1, queuedBytes: 1000, inJournal: true })
  t.equal(stateOf(s.daemon, 'b').state, 'mounted', 'the other mount is untouched')
  t.ok(s.backend.fsByName.get('a')!.closed, 'the filesystem core is closed')

  const again = await s.daemon.mount('a')
  t.equal(again.state, 'mounted', 'mountctl mount mounts again')
  t.equal(again.lastError, null)
  t.equal(s.backend.mounted.get(s.mp('a')), 'a')
  await s.time.advance(MOUNT_TABLE_INTERVAL_MS * 3)
  t.equal(stateOf(s.daemon, 'a').state, 'mounted', 'and stays so')
})

t.test('mountctl mount right after the unmount, before the next look, mounts for real', async t => {
  const s = await setup(t)
  s.backend.unmountFromOutside(s.mp('a'))
  s.backend.events.length = 0
  const a = await s.daemon.mount('a')
  t.equal(a.state, 'mounted')
  t.same(s.backend.events, ['mount a'], 'mounted again, not "already mounted"')
})

t.test('a mount made while the table is read is not taken for lost', async t => {
  const s = await setup(t)
  await s.daemon.unmount('a', { force: true })
  let release: (() => void) | null = null
  const original = s.backend.readMountTable.bind(s.backend)
  s.backend.readMountTable = async () => {
    const table = await original() // read before the mount below
    await new Promise<void>(r => (release = r))
    return table
  }
  const look = s.time.advance(MOUNT_TABLE_INTERVAL_MS)
  while (!release) await new Promise(r => setImmediate(r))
  const mounting = s.daemon.mount('a') // joins the look in progress, then mounts
  ;(release as () => void)()
  await look
  await mounting
  s.backend.readMountTable = original
  await s.time.advance(MOUNT_TABLE_INTERVAL_MS)
  t.equal(stateOf(s.daemon, 'a').state, 'mounted')
})

t.test('mountctl unmount right after an unmount from outside: unmounted, not failed', async t => {
  const s = await setup(t)
  s.backend.unmountFromOutside(s.mp('a'))
  const a = await s.daemon.unmount('a', { force: true })
  t.equal(a.state, 'unmounted')
  const b = await s.daemon.unmount('b', { force: true })
  t.equal(b.state, 'unmounted', 'a normal unmount still works')
})

t.test('a backend that sees its mount end (libfuse3) makes it unmounted at once, before any look', async t => {
  const s = await setup(t)
  s.backend.unmountFromOutside(s.mp('a'), { backendTells: true })
  await s.daemon.idle()
  await new Promise(r => setImmediate(r))
  await s.daemon.idle()
  t.match(stateOf(s.daemon, 'a'), { state: 'unmounted', wanted: false, lastError: { message: /unmounted from outside megamount/ } })
})
