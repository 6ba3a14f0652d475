// A 507 (account over quota) from the bridge leaves the file staged and
// marked failed, still readable through the mount; after a retry it uploads.
// The daemon's retry command is not exercised here: the mount child calls
// the queue's retry() as that command does.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { bashOutput as sh } from '../helpers/bash.js'
import { startMountChild } from '../helpers/mount-child-process.js'
import { startServer } from '../helpers/webdav-servers.js'


interface Snapshot {
  failed: { path: string; error: { kind: string; status?: number; message: string } }[]
  totals: { count: number }
}

t.test('507 keeps the file staged until a retry uploads it', async t => {
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-507-'))
  t.teardown(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  const child = await startMountChild(['--url', server.url, '--state-dir', join(work, 'state'), '--upload-delay-ms', '100'])
  t.teardown(() => child.stop())

  // Times on a staged file: touch -d shows the time given, touch shows now.
  // The file is held open for writing so it stays staged (opening a file
  // for writing also re-queues a failed upload, so this is not full.txt).
  const times = await sh(child.mountpoint, `exec 3>>times.txt
    touch -d '2020-01-02 03:04:05 UTC' times.txt && stat -c %Y times.txt
    touch times.txt && stat -c %Y times.txt
    exec 3>&-`)
  const [given, now] = times.trim().split('\n').map(Number)
  t.equal(given, 1577934245, 'touch -d shows the time given')
  t.ok(Math.abs(now - Date.now() / 1000) < 60, `touch sets the current time (${now})`)
  let snapshot = await child.command<Snapshot>('drain')
  t.same(await readdir(server.folder), ['times.txt'], 'the touched file uploaded')

  server.emulator!.failNext('PUT', 507)
  await sh(child.mountpoint, 'printf "precious\\n" > full.txt')
  snapshot = await child.command<Snapshot>('drain')
  t.match(snapshot.failed, [{ path: '/full.txt', error: { kind: 'no-space', status: 507 } }], 'marked failed with the reason')
  t.same(await readdir(server.folder), ['times.txt'], 'not on the server')
  t.equal((await readdir(join(work, 'state', 'staging'))).length, 1, 'still staged')
  t.equal(await sh(child.mountpoint, 'cat full.txt'), 'precious\n', 'still readable through the mount')

  t.equal(await child.command<number>('retry'), 1, 'one upload retried')
  snapshot = await child.command<Snapshot>('drain')
  t.same(snapshot.failed, [])
  t.equal(snapshot.totals.count, 0)
  t.equal(await readFile(join(server.folder, 'full.txt'), 'utf8'), 'precious\n', 'uploaded after the retry')
  t.same(await readdir(join(work, 'state', 'staging')), [], 'nothing left staged')
})
