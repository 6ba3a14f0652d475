// End to end: a folder whose listing the bridge answers with a server error.
// `ls` gets "Input/output error"; `mountctl status` says that operations
// failed, which errno and the last one, so a monitor learns of it too. A name
// that does not exist is a routine answer and is not counted.
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { daemonDirs, daemonMissing, mountctlFor, startDaemon, stopDaemon, writeDaemonConfig } from '../helpers/daemon-process.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'

const run = promisify(execFile)
if (daemonMissing) {
  t.fail(daemonMissing)
  process.exit(1)
}

type Errors = { count: number; byCode: Record<string, number>; last: { op: string; path: string; code: string; message: string } | null }
type Status = { name: string; state: string; errors?: Errors }

t.test('a failed listing is counted in status with its errno; a missing name is not', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmfail-'))
  const account = path.join(dir, 'account')
  await fs.mkdir(path.join(account, 'Docs', 'reports'), { recursive: true })
  await fs.writeFile(path.join(account, 'Docs', 'reports', 'q1.txt'), 'q1')
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0, uploadTempDir: dir })
  await emulator.start()
  const mp = path.join(dir, 'mnt')
  await fs.mkdir(mp)
  const dirs = daemonDirs(dir)
  await writeDaemonConfig(dirs, [{ name: 'docs', url: emulator.serve('/Docs'), mountpoint: mp }])
  const daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mp])
    await emulator.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  const { mountctl, waitFor } = mountctlFor<Status>(dirs.socket, { log: daemon.log })
  const mounted = await waitFor('mounted', s => s.docs?.state === 'mounted')
  t.same(mounted.docs!.errors, { count: 0, byCode: {}, last: null }, 'nothing failed yet')

  await t.rejects(run('ls', [path.join(mp, 'nothing-here')]), 'a name that does not exist')
  // The folder is to be listed anew, and the bridge answers every listing
  // 500 until the failures end.
  t.equal((await mountctl('refresh', 'docs', '/reports')).code, 0)
  emulator.failNext('PROPFIND', 500, 1000)
  const ls = await run('ls', [path.join(mp, 'reports')]).then(() => null, (err: { stderr: string }) => err.stderr)
  emulator.failNext('PROPFIND', 500, 0)
  t.match(ls, /Input\/output error/, 'ls sees the failure')

  const s = (await waitFor('a failure counted', st => (st.docs?.errors?.count ?? 0) > 0)).docs!
  t.equal(s.errors!.byCode.EIO, s.errors!.count, 'all of them EIO')
  t.match(s.errors!.last, { path: '/reports', code: 'EIO', message: /500/ }, 'the last one names the folder and the answer')
  const table = await mountctl('status', 'docs')
  t.match(table.stdout, /\n    failed:  \d+ operations? since mounted \(EIO \d+\); last \d+ s ago: .*500/)
  t.equal(table.code, 0, 'failed operations do not change the exit status')
})
