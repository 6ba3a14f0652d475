// MegaCmd, resolveMegaPath and the doctor's bridge probe against the bridge
// emulator's stand-in mega-* commands (src/emulator/megacmd), which share the
// emulator's state file: the closest thing to a real MEGAcmd available here.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { probeBridge } from '../../src/doctor/probe-bridge.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { compiledCommandPath, writeStandInCommands } from '../../src/emulator/megacmd/install.js'
import { STATE_FILE_ENV } from '../../src/emulator/state-file.js'
import { execFileRunner } from '../../src/megacmd/command-runner.js'
import { isMegaCmdError } from '../../src/megacmd/errors.js'
import { MegaCmd } from '../../src/megacmd/megacmd.js'
import { resolveMegaPath } from '../../src/megacmd/resolve-mega-path.js'

const built = fs.existsSync(compiledCommandPath('mega-webdav'))

t.test('against the emulator stand-ins', { skip: built ? false : 'the stand-ins are not built: run npm run build' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-standins-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const account = path.join(dir, 'account')
  fs.mkdirSync(path.join(account, 'Photos'), { recursive: true })
  fs.mkdirSync(path.join(account, 'Work: notes'), { recursive: true })
  fs.writeFileSync(path.join(account, 'Photos', 'a.jpg'), 'x'.repeat(1000))
  const stateFile = path.join(dir, 'state.json')
  const emulator = new BridgeEmulator({ accountRoot: account, port: 0, stateFile, email: 'tester@example.com', uploadTempDir: path.join(dir) })
  await emulator.start()
  t.teardown(() => emulator.stop())
  const bin = path.join(dir, 'bin')
  writeStandInCommands(bin)
  const mega = new MegaCmd({ megacmdPath: bin, env: { ...process.env, [STATE_FILE_ENV]: stateFile } })

  t.same(await mega.whoami(), { loggedIn: true, email: 'tester@example.com' })
  const df = await mega.df()
  t.equal(df.totalBytes, 21474836480)
  t.ok(df.usedBytes >= 1000, 'usage counts the account files')

  const photosUrl = emulator.serve('/Photos')
  t.same(await mega.servedLocations(), [{ megaPath: '/Photos', url: photosUrl }])
  t.equal(await resolveMegaPath(mega, '/Photos/', { serveIfNeeded: false }), photosUrl)

  await t.rejects(resolveMegaPath(mega, '/Work: notes', { serveIfNeeded: false }), { name: 'MegaCmdError', kind: 'not-served' })
  const workUrl = await resolveMegaPath(mega, '/Work: notes', { serveIfNeeded: true })
  t.same((await mega.servedLocations()).map((l) => l.megaPath).sort(), ['/Photos', '/Work: notes'], 'a path holding ": " is listed whole')
  t.same(await probeBridge(workUrl, 5000), { kind: 'ok', status: 207 }, 'the URL mega-webdav printed answers')

  emulator.rename('/Photos', 'Pictures')
  const renamed = (await mega.servedLocations()).find((l) => l.megaPath === '/Pictures')
  t.ok(renamed && renamed.url !== photosUrl, 'a rename shows up as a new URL')
  t.equal((await probeBridge(photosUrl, 5000)).kind, 'status', 'the old URL no longer answers 207')
  t.equal(await resolveMegaPath(mega, '/Photos', { serveIfNeeded: false, knownUrl: photosUrl }), renamed?.url, 'followed by handle')

  await mega.unserve('/Work: notes')
  t.same((await mega.servedLocations()).map((l) => l.megaPath), ['/Pictures'])

  await execFileRunner(path.join(bin, 'mega-logout'), [], { env: { ...process.env, [STATE_FILE_ENV]: stateFile } })
  t.same(await mega.whoami(), { loggedIn: false })
  await t.rejects(mega.df(), { name: 'MegaCmdError', kind: 'not-logged-in' })

  await emulator.stop()
  const err = await mega.whoami().catch((e: unknown) => e)
  t.ok(isMegaCmdError(err, 'megacmd-not-running'), 'a stopped server is megacmd-not-running')
})
