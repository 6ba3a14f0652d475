import { DEFAULT_STOP_TIMEOUT_SECONDS, SERVICE_STOP_TIMEOUT_SECONDS } from '../../src/config/service-timeouts.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import t, { type Test } from 'tap'
import type { CommandResult, CommandRunner } from '../../src/megacmd/command-runner.js'
import { LaunchdAgent } from '../../src/service/launchd-agent.js'
import { packageRoot } from '../../src/service/template.js'
import type { ServiceInputs } from '../../src/service/types.js'

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue }
type Node = Record<string, unknown> & { ':@'?: Record<string, string> }

/** A tiny plist reader: enough to check what launchd would see. */
function readPlist(xml: string): PlistValue {
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`)
  const doc = new XMLParser({ preserveOrder: true, ignoreAttributes: true, parseTagValue: false, processEntities: true }).parse(xml) as Node[]
  const plist = doc.find((n) => 'plist' in n)
  if (!plist) throw new Error('no <plist> element')
  const children = (plist.plist as Node[]).filter((n) => !('#text' in n))
  if (children.length !== 1) throw new Error('a plist holds exactly one value')
  return value(children[0]!)
}

function text(nodes: Node[]): string {
  return nodes.map((n) => String(n['#text'] ?? '')).join('')
}

function value(node: Node): PlistValue {
  const [tag] = Object.keys(node).filter((k) => k !== ':@')
  const inner = node[tag!] as Node[]
  switch (tag) {
    case 'string':
      return text(inner)
    case 'integer':
      return Number(text(inner))
    case 'true':
      return true
    case 'false':
      return false
    case 'array':
      return inner.filter((n) => !('#text' in n)).map(value)
    case 'dict': {
      const items = inner.filter((n) => !('#text' in n))
      const out: Record<string, PlistValue> = {}
      for (let i = 0; i < items.length; i += 2) {
        if (!('key' in items[i]!)) throw new Error('dict entries must start with <key>')
        out[text(items[i]!.key as Node[])] = value(items[i + 1]!)
      }
      return out
    }
    default:
      throw new Error(`unexpected plist element <${tag}>`)
  }
}

function tempHome(t: Test): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm home & <x>-'))
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }))
  return home
}

function fakeRunner(answer: (args: readonly string[]) => Partial<CommandResult> = () => ({})) {
  const calls: Array<{ file: string; args: readonly string[] }> = []
  const runner: CommandRunner = async (file, args) => {
    calls.push({ file, args })
    return { stdout: '', stderr: '', exitCode: 0, ...answer(args) }
  }
  return { calls, runner }
}

function inputs(home: string, extra: Partial<ServiceInputs> = {}): ServiceInputs {
  const daemonEntry = path.join(home, 'pkg', 'dist', 'src', 'bin', 'megamountd.js')
  fs.mkdirSync(path.dirname(daemonEntry), { recursive: true })
  fs.writeFileSync(daemonEntry, '')
  return {
    home,
    platform: 'darwin',
    uid: 501,
    user: 'alice',
    runner: fakeRunner().runner,
    env: { PATH: '/usr/bin:/bin' },
    nodePath: '/opt/homebrew/bin/node',
    daemonEntry,
    configFile: path.join(home, '.config', 'megamount', 'mounts.json'),
    stateDir: path.join(home, '.local', 'state', 'megamount'),
    socketPath: null,
    megacmdPath: null,
    templateRoot: packageRoot(),
    systemdVersion: null,
    ...extra,
  }
}

t.test('render: a valid plist with the real paths', async (t) => {
  const home = tempHome(t)
  const i = inputs(home)
  const agent = new LaunchdAgent(i)
  const rendered = agent.render()
  t.equal(rendered.path, path.join(home, 'Library/LaunchAgents/io.megamount.daemon.plist'))
  const plist = readPlist(rendered.content) as Record<string, PlistValue>
  t.equal(plist.Label, 'io.megamount.daemon')
  t.same(plist.ProgramArguments, ['/opt/homebrew/bin/node', i.daemonEntry, '--config', i.configFile], 'paths with & and < survive escaping')
  t.equal(plist.RunAtLoad, true)
  t.same(plist.KeepAlive, { SuccessfulExit: false })
  t.equal(plist.ThrottleInterval, 10)
  t.equal(plist.ExitTimeOut, SERVICE_STOP_TIMEOUT_SECONDS, 'the drain plus time to unmount')
  const log = path.join(home, 'Library/Logs/megamount/megamountd.log')
  t.equal(plist.StandardOutPath, log)
  t.equal(plist.StandardErrorPath, log)
  const env = plist.EnvironmentVariables as Record<string, string>
  t.match(env.PATH, /^\/opt\/homebrew\/bin:\/usr\/bin:\/bin:\/Applications\/MEGAcmd\.app\/Contents\/MacOS:/)
  t.equal(env.MEGAMOUNT_STATE_DIR, i.stateDir)
  t.equal(env.MEGAMOUNT_STOP_TIMEOUT_SECONDS, String(DEFAULT_STOP_TIMEOUT_SECONDS))
  t.equal(env.MEGAMOUNT_SOCKET, undefined)
  t.equal(env.MALLOC_ARENA_MAX, undefined, "glibc's settings are for Linux only")
  t.throws(() => readPlist('<plist><dict><key>a</key></plist>'), /not well-formed/, 'the checker does reject bad XML')
})

t.test('install: bootstrap into gui/<uid>, booting out a loaded copy first', async (t) => {
  const home = tempHome(t)
  const { calls, runner } = fakeRunner()
  const agent = new LaunchdAgent(inputs(home, { runner }))
  const result = await agent.install()
  t.same(calls, [
    { file: 'launchctl', args: ['print', 'gui/501/io.megamount.daemon'] },
    { file: 'launchctl', args: ['bootout', 'gui/501/io.megamount.daemon'] },
    { file: 'launchctl', args: ['enable', 'gui/501/io.megamount.daemon'] },
    { file: 'launchctl', args: ['bootstrap', 'gui/501', agent.plistPath] },
  ])
  t.equal(result.activated, true)
  t.ok(fs.existsSync(agent.plistPath))
  t.ok(fs.existsSync(path.dirname(agent.logFile)), 'log folder created')
})

t.test('install when not loaded yet; bootstrap failure', async (t) => {
  const home = tempHome(t)
  const { calls, runner } = fakeRunner((args) => (args[0] === 'print' ? { exitCode: 113, stderr: 'Could not find service' } : {}))
  await new LaunchdAgent(inputs(home, { runner })).install()
  t.same(calls.map((c) => c.args[0]), ['print', 'enable', 'bootstrap'])
  const failing = fakeRunner((args) => (args[0] === 'bootstrap' ? { exitCode: 5, stderr: 'Bootstrap failed: 5: Input/output error' } : {}))
  await t.rejects(new LaunchdAgent(inputs(home, { runner: failing.runner })).install(), /Bootstrap failed: 5.*terminal of the logged-in user/)
})

t.test('status and uninstall', async (t) => {
  const home = tempHome(t)
  let printed: Partial<CommandResult> = { exitCode: 0, stdout: 'gui/501/io.megamount.daemon = {\n\tstate = running\n\tpid = 123\n}\n' }
  const { calls, runner } = fakeRunner((args) => (args[0] === 'print' ? printed : {}))
  const agent = new LaunchdAgent(inputs(home, { runner }))
  await agent.install()
  const st = await agent.status()
  t.same([st.installed, st.enabled, st.running], [true, true, true])
  printed = { exitCode: 0, stdout: 'gui/501/io.megamount.daemon = {\n\tstate = not running\n}\n' }
  t.equal((await agent.status()).running, false)
  calls.length = 0
  const removed = await agent.uninstall()
  t.same(calls, [{ file: 'launchctl', args: ['bootout', 'gui/501/io.megamount.daemon'] }])
  t.equal(removed.removed, true)
  t.notOk(fs.existsSync(agent.plistPath))
  printed = { exitCode: 113, stderr: 'Could not find service' }
  const gone = await agent.status()
  t.same([gone.installed, gone.enabled, gone.running], [false, false, false])
  t.match(gone.detail, /not installed/)
})
