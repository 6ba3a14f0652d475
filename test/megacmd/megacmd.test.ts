import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { CommandNotFoundError, CommandTimeoutError, type CommandRunner } from '../../src/megacmd/command-runner.js'
import { isMegaCmdError } from '../../src/megacmd/errors.js'
import { MegaCmd } from '../../src/megacmd/megacmd.js'

const CANNED = fileURLToPath(new URL('../fixtures/megacmd-canned', import.meta.url))

function cannedMegaCmd(scenario: string, extra: { commandTimeoutMs?: number; log?: string } = {}) {
  return new MegaCmd({
    megacmdPath: CANNED,
    commandTimeoutMs: extra.commandTimeoutMs ?? 10_000,
    env: { ...process.env, MEGACMD_CANNED: scenario, ...(extra.log ? { MEGACMD_CANNED_LOG: extra.log } : {}) },
  })
}

t.test('fake runner: exact argument arrays and the PATH default', async (t) => {
  const calls: Array<{ file: string; args: readonly string[]; timeoutMs: number | undefined }> = []
  const runner: CommandRunner = async (file, args, options) => {
    calls.push({ file, args, timeoutMs: options?.timeoutMs })
    if (args[0] === '-d') return { stdout: `${args[1]} no longer served via webdav\n`, stderr: '', exitCode: 0 }
    if (args.length === 1) return { stdout: `Serving via webdav ${args[0]}: http://127.0.0.1:4443/AAAAaaaa/My%20Photos\n`, stderr: '', exitCode: 0 }
    return { stdout: 'No webdav links found\n', stderr: '', exitCode: 0 }
  }
  const mega = new MegaCmd({ runner, commandTimeoutMs: 1234 })
  t.same(await mega.servedLocations(), [])
  t.equal(await mega.serve('/My Photos/'), 'http://127.0.0.1:4443/AAAAaaaa/My%20Photos')
  await mega.unserve('/My Photos')
  t.same(calls, [
    { file: 'mega-webdav', args: [], timeoutMs: 1234 },
    { file: 'mega-webdav', args: ['/My Photos'], timeoutMs: 1234 },
    { file: 'mega-webdav', args: ['-d', '/My Photos'], timeoutMs: 1234 },
  ])
  t.equal(new MegaCmd({ megacmdPath: '/opt/megacmd/bin' }).commandFile('mega-df'), '/opt/megacmd/bin/mega-df')
})

t.test('fake runner: missing command and hung command', async (t) => {
  const missing = new MegaCmd({ runner: async (file) => Promise.reject(new CommandNotFoundError(file)) })
  await t.rejects(missing.whoami(), { kind: 'megacmd-missing', message: /mega-whoami is not on PATH.*install it from MEGA's site, or set settings.megacmdPath/ })
  const inFolder = new MegaCmd({ megacmdPath: '/nowhere', runner: async (file) => Promise.reject(new CommandNotFoundError(file)) })
  await t.rejects(inFolder.df(), { kind: 'megacmd-missing', message: /\/nowhere\/mega-df does not exist/ })
  const hung = new MegaCmd({ runner: async (file) => Promise.reject(new CommandTimeoutError(file, 5)) })
  await t.rejects(hung.servedLocations(), { name: 'MegaCmdError', kind: 'timeout' })
})

t.test('fake runner: serve that prints no URL', async (t) => {
  const mega = new MegaCmd({ runner: async () => ({ stdout: 'whatever\n', stderr: '', exitCode: 0 }) })
  await t.rejects(mega.serve('/X'), { kind: 'unexpected-output', message: /no "Serving via webdav" line: whatever/ })
})

t.test('canned executables: logged in', async (t) => {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'megacmd-')), 'calls.log')
  t.teardown(() => fs.rmSync(path.dirname(log), { recursive: true, force: true }))
  const mega = cannedMegaCmd('logged-in', { log })
  const served = await mega.servedLocations()
  t.equal(served.length, 5)
  t.same(served[1], { megaPath: '/Work: notes', url: 'http://127.0.0.1:4443/Ab-_9xYz/Work%3a%20notes' })
  t.same(await mega.whoami(), { loggedIn: true, email: 'someone@example.com' })
  const df = await mega.df()
  t.equal(df.usedBytes, 1246913568)
  t.equal(df.totalBytes, 21474836480)
  t.equal(await mega.serve('/New Folder'), 'http://127.0.0.1:4443/NeWhNd01/New%20Folder')
  await mega.unserve('/New Folder')
  await t.rejects(mega.serve('/Missing'), { name: 'MegaCmdError', kind: 'path-not-found' })
  t.equal(
    fs.readFileSync(log, 'utf8'),
    'mega-webdav\nmega-whoami\nmega-df\nmega-webdav [/New Folder]\nmega-webdav [-d] [/New Folder]\nmega-webdav [/Missing]\n',
  )
})

t.test('canned executables: nothing served', async (t) => {
  t.same(await cannedMegaCmd('none').servedLocations(), [])
})

t.test('canned executables: logged out', async (t) => {
  const mega = cannedMegaCmd('logged-out')
  t.same(await mega.whoami(), { loggedIn: false })
  await t.rejects(mega.df(), { name: 'MegaCmdError', kind: 'not-logged-in' })
  await t.rejects(mega.servedLocations(), { name: 'MegaCmdError', kind: 'not-logged-in' })
})

t.test('canned executables: server not running', async (t) => {
  const mega = cannedMegaCmd('not-running')
  await t.rejects(mega.whoami(), { kind: 'megacmd-not-running', message: /Unable to connect to service/ })
  await t.rejects(mega.df(), { name: 'MegaCmdError', kind: 'megacmd-not-running' })
})

t.test('canned executables: -h sizes are refused', async (t) => {
  await t.rejects(cannedMegaCmd('human').df(), { kind: 'unexpected-output', message: /no byte counts/ })
})

t.test('canned executables: a hung client is killed at the bound', async (t) => {
  const started = Date.now()
  const err = await cannedMegaCmd('hang', { commandTimeoutMs: 300 }).df().catch((e: unknown) => e)
  t.ok(isMegaCmdError(err, 'timeout'), 'timeout error')
  t.ok(Date.now() - started < 10_000, 'did not wait for the 30 s sleep')
})

t.test('megacmdPath pointing at an empty folder', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'megacmd-empty-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  await t.rejects(new MegaCmd({ megacmdPath: dir }).whoami(), { name: 'MegaCmdError', kind: 'megacmd-missing' })
})
