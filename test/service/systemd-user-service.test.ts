import { DEFAULT_STOP_TIMEOUT_SECONDS, SERVICE_START_TIMEOUT_SECONDS, SERVICE_STOP_TIMEOUT_SECONDS } from '../../src/config/service-timeouts.js'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import type { CommandResult, CommandRunner } from '../../src/megacmd/command-runner.js'
import { SystemdUserService } from '../../src/service/systemd-user-service.js'
import { packageRoot } from '../../src/service/template.js'
import type { ServiceInputs } from '../../src/service/types.js'

function tempHome(t: Test): string {
  // A space and a '%' in the home path exercise systemd's quoting and specifiers.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm home %u-'))
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
  const daemonEntry = path.join(home, 'pkg dir', 'dist', 'src', 'bin', 'megamountd.js')
  fs.mkdirSync(path.dirname(daemonEntry), { recursive: true })
  fs.writeFileSync(daemonEntry, '')
  return {
    home,
    platform: 'linux',
    uid: 1000,
    user: 'alice',
    runner: fakeRunner().runner,
    env: { PATH: '/usr/bin:/bin', XDG_RUNTIME_DIR: '/run/user/1000' },
    nodePath: process.execPath,
    daemonEntry,
    configFile: path.join(home, '.config', 'megamount', 'mounts.json'),
    stateDir: path.join(home, '.local', 'state', 'megamount'),
    socketPath: null,
    megacmdPath: '/opt/mega cmd',
    templateRoot: packageRoot(),
    systemdVersion: 252,
    ...extra,
  }
}

t.test('render: the directives the daemon relies on, paths quoted', async (t) => {
  const home = tempHome(t)
  const i = inputs(home)
  const { path: unitPath, content } = new SystemdUserService(i).render()
  t.equal(unitPath, path.join(home, '.config/systemd/user/megamount.service'))
  const q = (s: string) => `"${s.replace(/%/g, '%%')}"`
  t.match(content, `\nExecStart=${q(process.execPath)} ${q(i.daemonEntry)} "--config" ${q(i.configFile)}\n`)
  t.match(content, /\nType=notify\nNotifyAccess=all\n/, 'readiness comes from systemd-notify, a child of the daemon')
  t.match(content, `\nTimeoutStartSec=${SERVICE_START_TIMEOUT_SECONDS}\n`)
  t.match(content, /\nRestart=on-failure\n/)
  t.match(content, /\nRestartSec=5\n/)
  t.match(content, /\nStartLimitIntervalSec=600\n/)
  t.match(content, /\nStartLimitBurst=10\n/)
  t.match(content, /\nKillMode=mixed\n/)
  t.match(content, `\nTimeoutStopSec=${SERVICE_STOP_TIMEOUT_SECONDS}\n`)
  t.match(content, `\nEnvironment="MEGAMOUNT_STOP_TIMEOUT_SECONDS=${DEFAULT_STOP_TIMEOUT_SECONDS}"\n`, 'the drain the stop timeout was sized for')
  t.match(content, /\nWantedBy=default.target\n/)
  t.match(content, `\nEnvironment="PATH=${path.dirname(process.execPath)}:/opt/mega cmd:`)
  t.match(content, /\nEnvironment="PATH=[^"\n]*:\/bin[:"]/)
  t.match(content, `\nEnvironment=${q('MEGAMOUNT_STATE_DIR=' + i.stateDir)}\n`)
  t.match(content, /\nEnvironment="?MALLOC_MMAP_THRESHOLD_=131072"?\n/, 'freed read buffers go back to the system')
  t.match(content, /\nEnvironment="?MALLOC_ARENA_MAX=2"?\n/)
  t.notMatch(content, /MEGAMOUNT_SOCKET/, 'socket left to the shared default')
  t.notMatch(content, /^[^#]*network-online/m)
  t.notMatch(content, /^RestartSteps/m, 'systemd 252 has no RestartSteps')
  t.notMatch(content, /@[A-Z_]+@/)

  const newer = new SystemdUserService(inputs(home, { systemdVersion: 254, socketPath: '/run/x/control.sock' })).render().content
  t.match(newer, /\nRestartSteps=5\nRestartMaxDelaySec=120\n/)
  t.match(newer, /\nEnvironment="MEGAMOUNT_SOCKET=\/run\/x\/control.sock"\n/)
})

/** systemd-analyze, installed from Debian's systemd package when missing and
 *  we are root; '' when it cannot be had. */
function findSystemdAnalyze(): string {
  const which = () => spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim()
  if (which() || process.platform !== 'linux') return which()
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    spawnSync('apt-get', ['install', '-y', '-qq', 'systemd'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  return which()
}
const analyze = findSystemdAnalyze()

t.test(
  'render passes systemd-analyze verify on this machine',
  { skip: analyze ? false : 'systemd-analyze is not installed and cannot be installed here (needs Linux, root and apt-get)' },
  async (t) => {
  const version = Number(/^systemd (\d+)/.exec(execFileSync('systemctl', ['--version'], { encoding: 'utf8' }))?.[1])
  const home = tempHome(t)
  const installer = new SystemdUserService(inputs(home, { systemdVersion: version }))
  const { path: unitPath, content } = installer.render()
  fs.mkdirSync(path.dirname(unitPath), { recursive: true })
  fs.writeFileSync(unitPath, content)
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-rt-'))
  t.teardown(() => fs.rmSync(runtimeDir, { recursive: true, force: true }))
  const result = spawnSync(analyze, ['--user', 'verify', unitPath], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, HOME: home },
  })
  t.equal(result.status, 0, result.stderr)
  // verify exits 0 even for an unknown or unparsable key: it only warns.
  t.equal(result.stderr.trim(), '', 'no warnings about the unit')
  },
)

t.test('install: writes the unit and runs exactly these commands', async (t) => {
  const home = tempHome(t)
  const { calls, runner } = fakeRunner()
  const result = await new SystemdUserService(inputs(home, { runner })).install()
  t.same(calls, [
    { file: 'systemctl', args: ['--user', 'daemon-reload'] },
    { file: 'systemctl', args: ['--user', 'enable', '--now', 'megamount.service'] },
  ])
  t.equal(result.activated, true)
  t.same(result.commands, [])
  t.ok(fs.existsSync(result.path))
  t.match(result.notes.join('\n'), /loginctl enable-linger alice/)
  t.match(result.notes.join('\n'), /journalctl --user -u megamount/)
})

t.test('install without XDG_RUNTIME_DIR: no systemctl, the commands to run instead', async (t) => {
  const home = tempHome(t)
  const { calls, runner } = fakeRunner()
  const result = await new SystemdUserService(inputs(home, { runner, env: { PATH: '/usr/bin' } })).install()
  t.same(calls, [])
  t.equal(result.activated, false)
  t.same(result.commands, ['systemctl --user daemon-reload', 'systemctl --user enable --now megamount.service'])
  t.match(result.notes.join('\n'), /XDG_RUNTIME_DIR is not set/)
  t.match(result.notes.join('\n'), /loginctl enable-linger alice/)
  t.ok(fs.existsSync(result.path), 'the unit is written anyway')
})

t.test('install when the bus is unreachable (root in a container)', async (t) => {
  const home = tempHome(t)
  const { calls, runner } = fakeRunner(() => ({ exitCode: 1, stderr: 'Failed to connect to bus: No medium found\n' }))
  const result = await new SystemdUserService(inputs(home, { runner })).install()
  t.same(calls, [{ file: 'systemctl', args: ['--user', 'daemon-reload'] }])
  t.equal(result.activated, false)
  t.match(result.notes.join('\n'), /cannot be reached \(Failed to connect to bus: No medium found\)/)
})

t.test('install: a real systemctl failure is an error; a missing build too', async (t) => {
  const home = tempHome(t)
  const { runner } = fakeRunner((args) => (args[1] === 'enable' ? { exitCode: 1, stderr: 'Unit file is masked.' } : {}))
  await t.rejects(new SystemdUserService(inputs(home, { runner })).install(), /enable --now megamount.service failed \(exit status 1\): Unit file is masked/)
  const noBuild = inputs(home, { runner })
  await t.rejects(new SystemdUserService({ ...noBuild, daemonEntry: path.join(home, 'nope.js') }).install(), /build megamount first \(npm run build\)/)
})

t.test('uninstall and status', async (t) => {
  const home = tempHome(t)
  const state = { enabled: 'enabled', active: 'active' }
  const { calls, runner } = fakeRunner((args) =>
    args[1] === 'is-enabled' ? { stdout: `${state.enabled}\n` } : args[1] === 'is-active' ? { stdout: `${state.active}\n`, exitCode: state.active === 'active' ? 0 : 3 } : {},
  )
  const installer = new SystemdUserService(inputs(home, { runner }))
  t.same(await installer.status(), {
    path: installer.unitPath,
    installed: false,
    enabled: true,
    running: true,
    detail: `not installed (${installer.unitPath} missing)`,
  })
  await installer.install()
  state.active = 'inactive'
  const st = await installer.status()
  t.equal(st.installed, true)
  t.equal(st.running, false)
  t.match(st.detail, /enabled, not running/)
  calls.length = 0
  const removed = await installer.uninstall()
  t.same(calls, [
    { file: 'systemctl', args: ['--user', 'disable', '--now', 'megamount.service'] },
    { file: 'systemctl', args: ['--user', 'daemon-reload'] },
  ])
  t.equal(removed.removed, true)
  t.notOk(fs.existsSync(installer.unitPath))
  t.equal((await installer.uninstall()).removed, false, 'a second uninstall is harmless')

  const unreachable = new SystemdUserService(inputs(home, { runner, env: {} }))
  const unknown = await unreachable.status()
  t.equal(unknown.enabled, null)
  t.equal(unknown.running, null)
  t.same((await unreachable.uninstall()).commands, ['systemctl --user disable --now megamount.service', 'systemctl --user daemon-reload'])
})

const mountctl = path.join(packageRoot(), 'dist', 'src', 'bin', 'mountctl.js')
function userManagerSkipReason(): string | false {
  const probe = spawnSync('systemctl', ['--user', 'show-environment'], { encoding: 'utf8' })
  if (probe.error || probe.status !== 0) return `no systemd user manager here: ${(probe.stderr || String(probe.error)).trim()}`
  if (!fs.existsSync(mountctl)) return 'dist/src/bin/mountctl.js is not built (npm run build)'
  return false
}

t.test('a real systemd user manager: install, see the daemon answer, uninstall', { skip: userManagerSkipReason() }, async (t) => {
  const { defaultServiceInputs } = await import('../../src/service/create-installer.js')
  const installer = new SystemdUserService(await defaultServiceInputs())
  t.teardown(() => installer.uninstall())
  const result = await installer.install()
  t.equal(result.activated, true)
  let answered = false
  for (let i = 0; i < 50 && !answered; i++) {
    answered = spawnSync(process.execPath, [mountctl, 'status'], { encoding: 'utf8' }).status === 0
    if (!answered) await new Promise((r) => setTimeout(r, 200)) // real-world wait: systemd starts the daemon
  }
  t.ok(answered, 'mountctl status answered')
})
