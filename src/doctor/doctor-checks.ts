// The doctor's list, in the order a person would fix things: the machine,
// MEGAcmd, each profile, then autostart.
import type { Config } from '../config/types.js'
import { bridgeCheck } from './checks/bridge.js'
import { fuseBackendCheck, fuseDeviceCheck, fusermountCheck } from './checks/fuse.js'
import { megacmdCheck } from './checks/megacmd.js'
import { mountpointCheck } from './checks/mountpoint.js'
import { serviceCheck } from './checks/service.js'
import type { DoctorEnvironment } from './environment.js'
import type { Check } from './types.js'

export function doctorChecks(config: Pick<Config, 'mounts'>, env: DoctorEnvironment): Check[] {
  const checks: Check[] = [fuseDeviceCheck(env)]
  if (env.platform !== 'darwin') checks.push(fusermountCheck(env))
  checks.push(fuseBackendCheck(env))
  checks.push(megacmdCheck(env, config.mounts.some((p) => p.megaPath !== null)))
  for (const profile of config.mounts) checks.push(mountpointCheck(profile, env), bridgeCheck(profile, env))
  checks.push(serviceCheck(env))
  return checks
}
