// megamountd as a systemd user service: ~/.config/systemd/user/megamount.service,
// enabled for default.target so it starts with the user's manager (at login,
// or at boot with lingering). Without a reachable user manager (no
// XDG_RUNTIME_DIR or D-Bus: root in a container, an ssh session without
// pam_systemd) the unit is still written and the commands to finish are given.
import fs from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import type { CommandResult } from '../megacmd/command-runner.js'
import { systemdEnvironment, systemdExecArg } from './escape.js'
import { daemonEnvironment } from './daemon-path.js'
import { READY_WAIT_MAX_SECONDS, SERVICE_START_TIMEOUT_SECONDS, SERVICE_STOP_TIMEOUT_SECONDS } from '../config/service-timeouts.js'
import { RESTART_BACKOFF_MIN_SYSTEMD } from './systemd-version.js'
import { fillTemplate, readTemplate } from './template.js'
import type { InstallResult, RenderedService, ServiceInputs, ServiceInstaller, ServiceStatus, UninstallResult } from './types.js'

export const SYSTEMD_UNIT_NAME = 'megamount.service'
const TEMPLATE = 'systemd/megamount.service.in'

const BUS_UNREACHABLE = /Failed to connect to bus|No medium found|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR/i

export class SystemdUserService implements ServiceInstaller {
  readonly kind = 'systemd'
  constructor(private readonly inputs: ServiceInputs) {}

  get unitPath(): string {
    return path.join(this.inputs.home, '.config', 'systemd', 'user', SYSTEMD_UNIT_NAME)
  }

  render(): RenderedService {
    const i = this.inputs
    const env = daemonEnvironment(i)
    const backoff =
      i.systemdVersion !== null && i.systemdVersion >= RESTART_BACKOFF_MIN_SYSTEMD
        ? '# Restart delays grow from RestartSec to RestartMaxDelaySec over RestartSteps tries.\nRestartSteps=5\nRestartMaxDelaySec=120'
        : `# systemd ${i.systemdVersion ?? '(unknown version)'} has no RestartSteps/RestartMaxDelaySec (254+): fixed delay.`
    const content = fillTemplate(readTemplate(i.templateRoot, TEMPLATE), {
      EXEC_START: [i.nodePath, i.daemonEntry, '--config', i.configFile].map(systemdExecArg).join(' '),
      ENVIRONMENT: env.map(([name, value]) => `Environment=${systemdEnvironment(name, value)}`).join('\n'),
      RESTART_BACKOFF: backoff,
      START_LIMIT_INTERVAL_SEC: '600',
      START_LIMIT_BURST: '10',
      TIMEOUT_STOP_SEC: String(SERVICE_STOP_TIMEOUT_SECONDS),
      TIMEOUT_START_SEC: String(SERVICE_START_TIMEOUT_SECONDS),
      READY_WAIT_MAX_SEC: String(READY_WAIT_MAX_SECONDS),
    })
    return { path: this.unitPath, content }
  }

  private systemctl(args: string[]): Promise<CommandResult> {
    return this.inputs.runner('systemctl', ['--user', ...args], { timeoutMs: INTERNAL_DEFAULTS.commandTimeoutMs, env: this.inputs.env as NodeJS.ProcessEnv })
  }

  /** Why the user manager cannot be used, or null when it answered. */
  private unreachable(result: CommandResult | null): string | null {
    if (!this.inputs.env.XDG_RUNTIME_DIR) return 'XDG_RUNTIME_DIR is not set, so there is no systemd user manager to talk to'
    if (result && result.exitCode !== 0 && BUS_UNREACHABLE.test(result.stderr + result.stdout)) {
      return `the systemd user manager cannot be reached (${(result.stderr || result.stdout).trim().split('\n')[0]})`
    }
    return null
  }

  private lingerHint(): string {
    return `to mount without a desktop login (and keep mounts after logout): loginctl enable-linger ${this.inputs.user}`
  }

  async install(): Promise<InstallResult> {
    const rendered = this.render()
    if (!existsSync(this.inputs.daemonEntry)) {
      throw new Error(`${this.inputs.daemonEntry} does not exist: build megamount first (npm run build)`)
    }
    await fs.mkdir(path.dirname(rendered.path), { recursive: true })
    await fs.writeFile(rendered.path, rendered.content, { mode: 0o644 })
    const commands = ['systemctl --user daemon-reload', `systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`]
    const notes = [`wrote ${rendered.path}`]

    let reason = this.unreachable(null)
    if (!reason) {
      const reload = await this.systemctl(['daemon-reload'])
      reason = this.unreachable(reload)
      if (!reason) {
        assertOk('systemctl --user daemon-reload', reload)
        assertOk(`systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`, await this.systemctl(['enable', '--now', SYSTEMD_UNIT_NAME]))
        notes.push(`enabled and started ${SYSTEMD_UNIT_NAME}`, 'logs: journalctl --user -u megamount -f', this.lingerHint())
        return { path: rendered.path, activated: true, commands: [], notes }
      }
    }
    notes.push(`not started: ${reason}`, this.lingerHint())
    return { path: rendered.path, activated: false, commands, notes }
  }

  async uninstall(): Promise<UninstallResult> {
    const file = this.unitPath
    const notes: string[] = []
    let commands: string[] = []
    let reason = this.unreachable(null)
    if (!reason) {
      const disable = await this.systemctl(['disable', '--now', SYSTEMD_UNIT_NAME])
      reason = this.unreachable(disable)
      // "not loaded"/"does not exist" just means it was never enabled.
      if (!reason && disable.exitCode !== 0 && !/not loaded|does not exist|No such file/i.test(disable.stderr)) {
        assertOk(`systemctl --user disable --now ${SYSTEMD_UNIT_NAME}`, disable)
      }
      if (!reason) notes.push(`stopped and disabled ${SYSTEMD_UNIT_NAME}`)
    }
    const removed = existsSync(file)
    await fs.rm(file, { force: true })
    notes.push(removed ? `removed ${file}` : `${file} was not installed`)
    if (!reason) {
      assertOk('systemctl --user daemon-reload', await this.systemctl(['daemon-reload']))
    } else {
      notes.push(`service manager not told: ${reason}`)
      commands = [`systemctl --user disable --now ${SYSTEMD_UNIT_NAME}`, 'systemctl --user daemon-reload']
    }
    return { path: file, removed, commands, notes }
  }

  async status(): Promise<ServiceStatus> {
    const file = this.unitPath
    const installed = existsSync(file)
    let reason = this.unreachable(null)
    let enabled: boolean | null = null
    let running: boolean | null = null
    if (!reason) {
      const isEnabled = await this.systemctl(['is-enabled', SYSTEMD_UNIT_NAME])
      reason = this.unreachable(isEnabled)
      if (!reason) {
        enabled = isEnabled.stdout.trim() === 'enabled'
        running = (await this.systemctl(['is-active', SYSTEMD_UNIT_NAME])).stdout.trim() === 'active'
      }
    }
    const detail = !installed
      ? `not installed (${file} missing)`
      : reason
        ? `installed at ${file}; state unknown: ${reason}`
        : `installed at ${file}, ${enabled ? 'enabled' : 'not enabled'}, ${running ? 'running' : 'not running'}`
    return { path: file, installed, enabled, running, detail }
  }
}

function assertOk(command: string, result: CommandResult): void {
  if (result.exitCode !== 0) {
    const said = (result.stderr || result.stdout).trim() || '(no output)'
    throw new Error(`${command} failed (exit status ${result.exitCode}): ${said}`)
  }
}
