// mountctl doctor without --config checks the file the running daemon reads
// (it may have been started with --config elsewhere), and probes every
// bridge of it now.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { makeDoctorCommand } from '../../../src/cli/commands/doctor.js'
import { runMountctl } from '../../../src/cli/main.js'
import { Daemon } from '../../../src/daemon/daemon.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { silentLogger } from '../../../src/log.js'
import { FakeBackend } from '../../daemon/fake-backend.js'
import { fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const URL_B = 'http://127.0.0.1:4443/BBBBBBBB/B'

t.test('without --config: the daemon\'s file, every bridge probed now', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmdoc-'))
  const home = path.join(dir, 'home') // no ~/.config/megamount/mounts.json there
  const configFile = path.join(dir, 'elsewhere', 'my-mounts.json')
  await fs.mkdir(path.dirname(configFile), { recursive: true })
  await fs.writeFile(configFile, JSON.stringify({ mounts: [{ name: 'a', url: URL_A, mountpoint: path.join(dir, 'A') }, { name: 'b', url: URL_B, mountpoint: path.join(dir, 'B') }] }))
  const socketPath = path.join(dir, 'c.sock')
  const backend = new FakeBackend()
  backend.bridge(URL_B).mode = 'down'
  const daemon = new Daemon({ configFile, socketPath, stateDir: path.join(dir, 'state'), backend, time: new ManualTime(), logger: silentLogger, version: 't' })
  t.teardown(async () => {
    await daemon.stop()
    await fs.rm(dir, { recursive: true, force: true })
  })
  await daemon.start()
  await daemon.idle()

  const probed: string[] = []
  const configFiles: string[] = []
  const command = makeDoctorCommand(({ configFile: f }) => {
    configFiles.push(f)
    // The bridge of "b" answers again: the doctor must say so, not repeat the daemon's "waiting".
    return fakeEnvironment({ probe: async url => (probed.push(url), { kind: 'ok', status: 207 }) })
  })
  let stdout = ''
  const code = await runMountctl(['--socket', socketPath, 'doctor'], { stdout: s => void (stdout += s), stderr: () => {}, env: { HOME: home } }, [command])
  t.match(stdout, `ok    profile file ${configFile} (the file megamountd reads): 2 profile(s)`)
  t.same(probed.sort(), [URL_A, URL_B], 'each bridge probed by the doctor itself')
  t.match(stdout, /ok    bridge of "b": .* answers \(207\)/)
  t.same(configFiles, [configFile])
  t.equal(code, 0, stdout)
})
