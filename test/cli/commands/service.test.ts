import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { makeServiceCommand } from '../../../src/cli/commands/service.js'
import { runMountctl } from '../../../src/cli/main.js'
import type { CommandRunner } from '../../../src/megacmd/command-runner.js'
import { defaultServiceInputs } from '../../../src/service/create-installer.js'
import type { ServiceInputs } from '../../../src/service/types.js'

function setup(t: { teardown(fn: () => unknown): void }, env: Record<string, string>) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-svc-cli-'))
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }))
  const daemonEntry = path.join(home, 'megamountd.js')
  fs.writeFileSync(daemonEntry, '')
  fs.mkdirSync(path.join(home, '.config', 'megamount'), { recursive: true })
  fs.writeFileSync(path.join(home, '.config', 'megamount', 'mounts.json'), JSON.stringify({ settings: { megacmdPath: '~/megacmd' }, mounts: [] }))
  const calls: string[][] = []
  const runner: CommandRunner = async (file, args) => {
    calls.push([file, ...args])
    return { stdout: args[1] === 'is-enabled' ? 'enabled\n' : args[1] === 'is-active' ? 'active\n' : '', stderr: '', exitCode: 0 }
  }
  const seen: Array<Partial<ServiceInputs>> = []
  const command = makeServiceCommand(async (overrides) => {
    seen.push(overrides)
    return defaultServiceInputs({ ...overrides, platform: 'linux', runner, daemonEntry, systemdVersion: 252, uid: 1000, user: 'alice' })
  })
  const fullEnv = { HOME: home, USER: 'alice', PATH: '/usr/bin:/bin', ...env }
  async function ctl(...argv: string[]) {
    let stdout = ''
    let stderr = ''
    const code = await runMountctl(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: fullEnv }, [command])
    return { code, stdout, stderr }
  }
  return { home, calls, seen, ctl, unit: path.join(home, '.config/systemd/user/megamount.service') }
}

t.test('install --dry-run prints the unit and writes nothing', async (t) => {
  const s = setup(t, { XDG_RUNTIME_DIR: '/run/user/1000' })
  const r = await s.ctl('service', 'install', '--dry-run')
  t.equal(r.code, 0)
  t.match(r.stdout, `# would write ${s.unit}\n`)
  t.match(r.stdout, `"--config" "${path.join(s.home, '.config/megamount/mounts.json')}"`)
  t.match(r.stdout, `:${path.join(s.home, 'megacmd')}:`, 'settings.megacmdPath is on the daemon PATH')
  t.notOk(fs.existsSync(s.unit))
  t.same(s.calls, [])
})

t.test('install, status, uninstall with a reachable user manager', async (t) => {
  const s = setup(t, { XDG_RUNTIME_DIR: '/run/user/1000' })
  const installed = await s.ctl('service', 'install', '--config', '~/other.json')
  t.equal(installed.code, 0, installed.stderr)
  t.match(installed.stdout, /enabled and started megamount.service/)
  t.match(fs.readFileSync(s.unit, 'utf8'), `"--config" "${path.join(s.home, 'other.json')}"`)
  const status = await s.ctl('service', 'status')
  t.equal(status.code, 0)
  t.match(status.stdout, /^systemd: installed at .*, enabled, running\n$/)
  const removed = await s.ctl('service', 'uninstall')
  t.equal(removed.code, 0)
  t.notOk(fs.existsSync(s.unit))
  t.same(s.calls.map((c) => c.slice(1).join(' ')), [
    '--user daemon-reload',
    '--user enable --now megamount.service',
    '--user is-enabled megamount.service',
    '--user is-active megamount.service',
    '--user disable --now megamount.service',
    '--user daemon-reload',
  ])
})

t.test('no user manager: exit 1 with the commands to finish', async (t) => {
  const s = setup(t, {})
  const r = await s.ctl('service', 'install')
  t.equal(r.code, 1)
  t.match(r.stdout, /not started: XDG_RUNTIME_DIR is not set/)
  t.match(r.stdout, /finish as alice, in a login session:\n  systemctl --user daemon-reload\n  systemctl --user enable --now megamount.service\n/)
  const status = await s.ctl('service', 'status')
  t.equal(status.code, 1)
  t.match(status.stdout, /state unknown/)
})

t.test('bad action and a status when not installed', async (t) => {
  const s = setup(t, { XDG_RUNTIME_DIR: '/run/user/1000' })
  const bad = await s.ctl('service', 'start')
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown action "start": use install, uninstall or status/)
  const st = await s.ctl('service', 'status')
  t.equal(st.code, 1)
  t.match(st.stdout, /not installed .*\ninstall it: mountctl service install\n/)
  const dry = await s.ctl('service', 'uninstall', '--dry-run')
  t.match(dry.stdout, `would stop megamountd's systemd service and remove ${s.unit}`)
})
