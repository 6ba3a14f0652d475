// One interface for "start megamountd at login", with a systemd user unit
// (Linux) and a launchd agent (macOS) behind it.
import type { CommandRunner } from '../megacmd/command-runner.js'

export interface RenderedService {
  /** Where install writes it. */
  path: string
  content: string
}

export interface InstallResult {
  /** The unit/plist written. */
  path: string
  /** True when the service manager took it and started the daemon; false
   *  when it could not be reached and the user must run `commands`. */
  activated: boolean
  /** Commands the user still has to run (empty when activated). */
  commands: string[]
  /** What happened and what to know, one line each, for printing. */
  notes: string[]
}

export interface UninstallResult {
  path: string
  /** Whether a unit/plist file was there to remove. */
  removed: boolean
  commands: string[]
  notes: string[]
}

export interface ServiceStatus {
  path: string
  installed: boolean
  /** Will start at login; null when the service manager cannot be asked. */
  enabled: boolean | null
  /** null when the service manager cannot be asked. */
  running: boolean | null
  /** One line for people. */
  detail: string
}

export interface ServiceInstaller {
  readonly kind: 'systemd' | 'launchd'
  install(): Promise<InstallResult>
  uninstall(): Promise<UninstallResult>
  status(): Promise<ServiceStatus>
  /** Pure: the file install would write. For --dry-run and tests. */
  render(): RenderedService
}

/** Everything an installer needs, all injected; defaultServiceInputs() fills
 *  them from this process. */
export interface ServiceInputs {
  home: string
  platform: NodeJS.Platform
  uid: number
  /** Login name, for the linger hint. */
  user: string
  runner: CommandRunner
  /** The environment install runs in (XDG_RUNTIME_DIR, PATH). */
  env: Record<string, string | undefined>
  /** Absolute path of node (process.execPath). */
  nodePath: string
  /** Absolute path of dist/src/bin/megamountd.js. */
  daemonEntry: string
  /** Absolute path of mounts.json, passed as --config. */
  configFile: string
  /** Exported to the daemon as MEGAMOUNT_STATE_DIR. */
  stateDir: string
  /** Exported as MEGAMOUNT_SOCKET only when set: by default the daemon and
   *  mountctl derive the same socket path from the same environment. */
  socketPath: string | null
  /** Folder of the mega-* commands, put on the daemon's PATH. */
  megacmdPath: string | null
  /** Folder holding systemd/ and launchd/ templates (the package root). */
  templateRoot: string
  /** `systemctl --version` major number; null: unknown (newest keys left out). */
  systemdVersion: number | null
}
