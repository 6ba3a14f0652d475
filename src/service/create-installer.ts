// Picks the installer for this platform and fills its inputs from this
// process: node, the built daemon next to this module, the same default
// config/state paths the daemon and mountctl use.
import os from 'node:os'
import path from 'node:path'
import { defaultConfigFile, defaultStateDir } from '../config/paths.js'
import { execFileRunner } from '../megacmd/command-runner.js'
import { LaunchdAgent } from './launchd-agent.js'
import { SystemdUserService } from './systemd-user-service.js'
import { detectSystemdVersion } from './systemd-version.js'
import { packageRoot } from './template.js'
import type { ServiceInputs, ServiceInstaller } from './types.js'

export async function defaultServiceInputs(overrides: Partial<ServiceInputs> = {}): Promise<ServiceInputs> {
  const env = overrides.env ?? process.env
  const home = overrides.home ?? (env.HOME || os.homedir())
  const envWithHome = { ...env, HOME: home }
  const platform = overrides.platform ?? process.platform
  const runner = overrides.runner ?? execFileRunner
  const root = overrides.templateRoot ?? packageRoot()
  const stateDir = overrides.stateDir ?? defaultStateDir(envWithHome)
  return {
    home,
    platform,
    uid: overrides.uid ?? (process.getuid ? process.getuid() : 0),
    user: overrides.user ?? env.USER ?? os.userInfo().username,
    runner,
    env,
    nodePath: overrides.nodePath ?? process.execPath,
    daemonEntry: overrides.daemonEntry ?? path.join(root, 'dist', 'src', 'bin', 'megamountd.js'),
    configFile: path.resolve(overrides.configFile ?? defaultConfigFile(envWithHome)),
    stateDir,
    socketPath: overrides.socketPath !== undefined ? overrides.socketPath : env.MEGAMOUNT_SOCKET ? path.resolve(env.MEGAMOUNT_SOCKET) : null,
    megacmdPath: overrides.megacmdPath ?? null,
    templateRoot: root,
    systemdVersion:
      overrides.systemdVersion !== undefined ? overrides.systemdVersion : platform === 'linux' ? await detectSystemdVersion(runner) : null,
  }
}

export function createServiceInstaller(inputs: ServiceInputs): ServiceInstaller {
  if (inputs.platform === 'linux') return new SystemdUserService(inputs)
  if (inputs.platform === 'darwin') return new LaunchdAgent(inputs)
  throw new Error(`autostart is supported on Linux (systemd) and macOS (launchd), not on ${inputs.platform}`)
}
