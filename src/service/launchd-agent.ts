// megamountd as a launchd agent of the user's GUI session:
// ~/Library/LaunchAgents/io.megamount.daemon.plist, loaded with
// `launchctl bootstrap gui/<uid>` (the modern form of `load`) and started at
// once by RunAtLoad; KeepAlive restarts it after a crash, not after a clean stop.
import fs from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import type { CommandResult } from '../megacmd/command-runner.js'
import { xmlEscape } from './escape.js'
import { daemonEnvironment } from './daemon-path.js'
import { SERVICE_STOP_TIMEOUT_SECONDS } from '../config/service-timeouts.js'
import { fillTemplate, readTemplate } from './template.js'
import type { InstallResult, RenderedService, ServiceInputs, ServiceInstaller, ServiceStatus, UninstallResult } from './types.js'

export const LAUNCHD_LABEL = 'io.megamount.daemon'
const TEMPLATE = 'launchd/io.megamount.daemon.plist.in'
/** launchd starts a crashing agent at most once per this many seconds. */
export const THROTTLE_INTERVAL_SEC = 10

export class LaunchdAgent implements ServiceInstaller {
  readonly kind = 'launchd'
  constructor(private readonly inputs: ServiceInputs) {}

  get plistPath(): string {
    return path.join(this.inputs.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
  }

  get logFile(): string {
    return path.join(this.inputs.home, 'Library', 'Logs', 'megamount', 'megamountd.log')
  }

  private get domain(): string {
    return `gui/${this.inputs.uid}`
  }

  private get target(): string {
    return `${this.domain}/${LAUNCHD_LABEL}`
  }

  render(): RenderedService {
    const i = this.inputs
    const env = daemonEnvironment(i)
    const content = fillTemplate(readTemplate(i.templateRoot, TEMPLATE), {
      LABEL: LAUNCHD_LABEL,
      PROGRAM_ARGUMENTS: [i.nodePath, i.daemonEntry, '--config', i.configFile]
        .map((arg) => `    <string>${xmlEscape(arg)}</string>`)
        .join('\n'),
      ENVIRONMENT: env
        .map(([name, value]) => `    <key>${xmlEscape(name)}</key>\n    <string>${xmlEscape(value)}</string>`)
        .join('\n'),
      THROTTLE_INTERVAL_SEC: String(THROTTLE_INTERVAL_SEC),
      EXIT_TIMEOUT_SEC: String(SERVICE_STOP_TIMEOUT_SECONDS),
      LOG_FILE: xmlEscape(this.logFile),
    })
    return { path: this.plistPath, content }
  }

  private launchctl(args: string[]): Promise<CommandResult> {
    return this.inputs.runner('launchctl', args, { timeoutMs: INTERNAL_DEFAULTS.commandTimeoutMs })
  }

  async install(): Promise<InstallResult> {
    const rendered = this.render()
    if (!existsSync(this.inputs.daemonEntry)) {
      throw new Error(`${this.inputs.daemonEntry} does not exist: build megamount first (npm run build)`)
    }
    await fs.mkdir(path.dirname(rendered.path), { recursive: true })
    await fs.mkdir(path.dirname(this.logFile), { recursive: true })
    await fs.writeFile(rendered.path, rendered.content, { mode: 0o644 })
    const notes = [`wrote ${rendered.path}`]
    // A loaded older copy keeps running with the old plist: unload it first.
    if ((await this.launchctl(['print', this.target])).exitCode === 0) {
      await this.launchctl(['bootout', this.target])
      notes.push(`unloaded the previous ${LAUNCHD_LABEL}`)
    }
    // An agent once disabled (launchctl disable) refuses to bootstrap.
    await this.launchctl(['enable', this.target])
    const bootstrap = await this.launchctl(['bootstrap', this.domain, rendered.path])
    if (bootstrap.exitCode !== 0) {
      const said = (bootstrap.stderr || bootstrap.stdout).trim() || '(no output)'
      throw new Error(
        `launchctl bootstrap ${this.domain} ${rendered.path} failed (exit status ${bootstrap.exitCode}): ${said}. ` +
          'Run it from a terminal of the logged-in user (not over ssh as another user or with sudo).',
      )
    }
    notes.push(`loaded and started ${LAUNCHD_LABEL}`, `logs: ${this.logFile}`)
    return { path: rendered.path, activated: true, commands: [], notes }
  }

  async uninstall(): Promise<UninstallResult> {
    const file = this.plistPath
    const notes: string[] = []
    const bootout = await this.launchctl(['bootout', this.target])
    // Exit 3 / 113 ("No such process", "Could not find service"): not loaded.
    notes.push(bootout.exitCode === 0 ? `stopped and unloaded ${LAUNCHD_LABEL}` : `${LAUNCHD_LABEL} was not loaded`)
    const removed = existsSync(file)
    await fs.rm(file, { force: true })
    notes.push(removed ? `removed ${file}` : `${file} was not installed`)
    return { path: file, removed, commands: [], notes }
  }

  async status(): Promise<ServiceStatus> {
    const file = this.plistPath
    const installed = existsSync(file)
    const print = await this.launchctl(['print', this.target])
    const loaded = print.exitCode === 0
    const running = loaded && /^\s*state = running\s*$/m.test(print.stdout)
    const detail = !installed
      ? `not installed (${file} missing)`
      : `installed at ${file}, ${loaded ? 'loaded' : 'not loaded'}, ${running ? 'running' : 'not running'}; logs: ${this.logFile}`
    return { path: file, installed, enabled: loaded, running, detail }
  }
}
