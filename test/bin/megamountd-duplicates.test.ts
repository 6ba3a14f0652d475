// MEGA allows two entries with one name in a folder; the bridge lists both
// under the same href and serves only one. Through the daemon the name must
// appear once, read as the reachable entry, and status must count the hidden one.
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { MOUNTCTL, daemonDirs, daemonMissing, isMounted, startDaemon, stopDaemon, waitUntil, writeDaemonConfig } from '../helpers/daemon-process.js'

const run = promisify(execFile)

t.test('a duplicated name appears once and status counts it', { skip: daemonMissing }, async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmdup-'))
  const account = path.join(dir, 'account')
  await fs.mkdir(path.join(account, 'Photos'), { recursive: true })
  await fs.writeFile(path.join(account, 'Photos', 'a.txt'), 'the reachable one\n')
  await fs.writeFile(path.join(account, 'Photos', 'b.txt'), 'b\n')
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0 })
  await emulator.start()
  const url = emulator.serve('/Photos')
  emulator.addDuplicate('/Photos/a.txt', 'file', 1234)
  const dirs = daemonDirs(dir)
  const mountpoint = path.join(dir, 'mnt')
  await writeDaemonConfig(dirs, [{ name: 'photos', url, mountpoint, readOnly: true }])
  const daemon = startDaemon(dirs)
  t.teardown(async () => {
    await stopDaemon(daemon, [mountpoint])
    await emulator.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await waitUntil('mounted', () => isMounted(mountpoint), 30_000)

  const { stdout: names } = await run('ls', ['-1', mountpoint])
  t.same(names.split('\n').filter(Boolean), ['a.txt', 'b.txt'], 'each name once')
  t.equal(await fs.readFile(path.join(mountpoint, 'a.txt'), 'utf8'), 'the reachable one\n')

  const { stdout: json } = await run(process.execPath, [MOUNTCTL, '--socket', dirs.socket, 'status', '--json'])
  const status = JSON.parse(json) as { mounts: { name: string; duplicateNames: number }[] }
  t.equal(status.mounts[0]?.duplicateNames, 1, 'status --json counts the hidden duplicate')
  const { stdout: table } = await run(process.execPath, [MOUNTCTL, '--socket', dirs.socket, 'status'])
  t.match(table, /1 hidden/, 'the table shows it too')
  t.match(daemon.log(), /a\.txt/, 'the log names the duplicated entry')
})
