import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { BridgeEmulator } from '../../../src/emulator/bridge.js'
import { rawRequest } from '../../../src/emulator/raw-request.js'
import { runDf, runLogout, runWhoami } from '../../../src/emulator/megacmd/account-commands.js'

async function setup(t: Test) {
  const accountRoot = t.testdir({ Photos: { 'a.bin': 'x'.repeat(1000), sub: { 'b.bin': 'y'.repeat(24) } }, 'c.txt': '' })
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-state-'))
  t.teardown(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const stateFile = path.join(stateDir, 'state.json')
  const emulator = new BridgeEmulator({ accountRoot, stateFile, email: 'someone@example.com', storageTotalBytes: 100_000 })
  await emulator.start()
  t.teardown(() => emulator.stop())
  return { emulator, env: { MEGA_EMULATOR_STATE: stateFile } }
}

t.test('mega-whoami', async t => {
  const { emulator, env } = await setup(t)
  t.same(runWhoami([], env), { stdout: 'Account e-mail: someone@example.com\n', stderr: '', exitCode: 0 })
  await emulator.setMode('logged-out')
  t.same(runWhoami([], env), { stdout: '', stderr: 'Not logged in.\n', exitCode: 199 })
})

t.test('mega-df and mega-df -h from the account folder', async t => {
  const { env } = await setup(t)
  t.same(runDf([], env), {
    stdout:
      'Cloud drive:                  1024 in       3 file(s) and       2 folder(s)\n' +
      'Inbox:                           0 in       0 file(s) and       0 folder(s)\n' +
      'Rubbish bin:                     0 in       0 file(s) and       0 folder(s)\n' +
      '---------------------------------------------------------------------------\n' +
      'USED STORAGE:                 1024                  1.02% of 100000\n' +
      '---------------------------------------------------------------------------\n' +
      'Total size taken up by file versions:            0\n',
    stderr: '',
    exitCode: 0,
  })
  const human = runDf(['-h'], env)
  t.match(human.stdout, /^Cloud drive:               1\.00 KB in       3 file\(s\)/)
  t.match(human.stdout, /\nUSED STORAGE:              1\.00 KB                  1\.02% of 97\.66 KB\n/)
  t.equal(runDf(['--bogus'], env).exitCode, 205)
})

t.test('mega-logout logs the bridge out', async t => {
  const { emulator, env } = await setup(t)
  const url = emulator.serve('/Photos')
  t.same(runLogout([], env), { stdout: 'Logging out...\n', stderr: '', exitCode: 0 })
  t.equal((await rawRequest({ port: emulator.port, method: 'PROPFIND', path: new URL(url).pathname })).status, 404)
  t.equal(emulator.getMode(), 'logged-out')
  t.equal(runWhoami([], env).exitCode, 199)
  t.same(runDf([], env), { stdout: '', stderr: 'Not logged in.\n', exitCode: 199 })
  t.equal(runLogout([], env).exitCode, 199)
})
