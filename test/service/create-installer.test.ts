import path from 'node:path'
import t from 'tap'
import { createServiceInstaller, defaultServiceInputs } from '../../src/service/create-installer.js'
import { packageRoot } from '../../src/service/template.js'

t.test('defaults follow the environment the daemon and mountctl use', async (t) => {
  const calls: string[][] = []
  const i = await defaultServiceInputs({
    env: { HOME: '/home/alice', USER: 'alice', XDG_CONFIG_HOME: '/cfg' },
    platform: 'linux',
    runner: async (file, args) => {
      calls.push([file, ...args])
      return { stdout: 'systemd 255 (255.4)\n', stderr: '', exitCode: 0 }
    },
  })
  t.equal(i.home, '/home/alice')
  t.equal(i.user, 'alice')
  t.equal(i.configFile, '/cfg/megamount/mounts.json')
  t.equal(i.stateDir, '/home/alice/.local/state/megamount')
  t.equal(i.socketPath, null)
  t.equal(i.nodePath, process.execPath)
  t.equal(i.daemonEntry, path.join(packageRoot(), 'dist/src/bin/megamountd.js'))
  t.equal(i.systemdVersion, 255)
  t.same(calls, [['systemctl', '--version']])
  t.equal(createServiceInstaller(i).kind, 'systemd')
  const pinned = await defaultServiceInputs({ env: { HOME: '/h', MEGAMOUNT_SOCKET: '/tmp/s.sock' }, platform: 'darwin' })
  t.equal(pinned.socketPath, '/tmp/s.sock')
  t.equal(pinned.systemdVersion, null)
  t.equal(createServiceInstaller(pinned).kind, 'launchd')
  t.throws(() => createServiceInstaller({ ...pinned, platform: 'win32' }), /supported on Linux \(systemd\) and macOS \(launchd\), not on win32/)
})
