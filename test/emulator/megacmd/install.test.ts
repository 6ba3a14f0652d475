import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { BridgeEmulator } from '../../../src/emulator/bridge.js'
import { compiledCommandPath, STAND_IN_COMMANDS, writeStandInCommands } from '../../../src/emulator/megacmd/install.js'

// The stand-ins as executables, the way the MEGAcmd integration runs them:
// the committed wrappers in test/fixtures/megacmd and the ones
// writeStandInCommands() writes. Both run the compiled scripts in dist/.

const run = promisify(execFile)
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/megacmd')

async function setup(t: Test) {
  for (const command of STAND_IN_COMMANDS) {
    t.ok(fs.existsSync(compiledCommandPath(command)), `${command} is built (run npm run build if not)`)
  }
  const accountRoot = t.testdir({ Photos: { 'a.txt': 'a' } })
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-state-'))
  t.teardown(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const emulator = new BridgeEmulator({ accountRoot, stateFile: path.join(stateDir, 'state.json'), email: 'x@example.com' })
  await emulator.start()
  t.teardown(() => emulator.stop())
  return { emulator, stateDir, env: { ...process.env, MEGA_EMULATOR_STATE: path.join(stateDir, 'state.json') } }
}

async function exercise(t: Test, dir: string, emulator: BridgeEmulator, env: NodeJS.ProcessEnv) {
  const served = await run(path.join(dir, 'mega-webdav'), ['/Photos'], { env })
  const url = emulator.serve('/Photos')
  t.equal(served.stdout, `Serving via webdav /Photos: ${url}\n`)
  t.equal((await run(path.join(dir, 'mega-webdav'), [], { env })).stdout, `WEBDAV SERVED LOCATIONS:\n/Photos: ${url}\n`)
  t.equal((await run(path.join(dir, 'mega-whoami'), [], { env })).stdout, 'Account e-mail: x@example.com\n')
  t.match((await run(path.join(dir, 'mega-df'), ['-h'], { env })).stdout, /^Cloud drive: {16}1\.00 B in {7}1 file\(s\) and {7}1 folder\(s\)\n/)
  t.equal((await run(path.join(dir, 'mega-logout'), [], { env })).stdout, 'Logging out...\n')
  await t.rejects(run(path.join(dir, 'mega-whoami'), [], { env }), { code: 199, stderr: 'Not logged in.\n' })
  await emulator.stop()
  await t.rejects(run(path.join(dir, 'mega-webdav'), [], { env }), { code: 1, stderr: /^Unable to connect to service: error=111\n/ })
}

t.test('the committed wrappers in test/fixtures/megacmd', async t => {
  const { emulator, env } = await setup(t)
  await exercise(t, fixtures, emulator, env)
})

t.test('writeStandInCommands writes working executables', async t => {
  const { emulator, env, stateDir } = await setup(t)
  const dir = path.join(stateDir, 'bin')
  const files = writeStandInCommands(dir)
  t.same(files.map(f => path.basename(f)), [...STAND_IN_COMMANDS])
  t.ok(files.every(f => (fs.statSync(f).mode & 0o111) !== 0), 'executable')
  await exercise(t, dir, emulator, env)
})
