// What the checks look at, injected so tests can stage any machine: a
// missing /dev/fuse, a dead mount, a hung bridge, a logged-out MEGAcmd.
import fs from 'node:fs/promises'
import { constants as fsConstants, type Stats } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import { decideBackend, type BackendDecision } from '../fuse/backends.js'
import { readMountTable, type MountRecord } from '../mount-table.js'
import { execFileRunner, type CommandRunner } from '../megacmd/command-runner.js'
import { MegaCmd, type MegaCmdApi } from '../megacmd/megacmd.js'
import type { ServiceStatus } from '../service/types.js'
import { probeBridge, type ProbeResult } from './probe-bridge.js'

export interface DoctorEnvironment {
  platform: NodeJS.Platform
  /** Login name, for fixes such as `usermod -aG fuse <user>`. */
  user: string
  /** fs.access: rejects when the path is missing or lacks `mode`. */
  access(file: string, mode: number): Promise<void>
  /** fs.stat: rejects with the errno (ENOENT, ENOTCONN for a dead mount). */
  stat(file: string): Promise<Stats>
  /** Absolute path of an executable on PATH, or null. */
  which(command: string): Promise<string | null>
  runner: CommandRunner
  mountTable(): Promise<MountRecord[]>
  probe(url: string, timeoutMs: number): Promise<ProbeResult>
  megaCmd: MegaCmdApi
  serviceStatus(): Promise<ServiceStatus>
  /** The FUSE backend a daemon started now would use (--fuse-backend auto). */
  fuseBackend(): BackendDecision | { error: string }
}

export function whichOnPath(pathVariable: string | undefined): (command: string) => Promise<string | null> {
  return async (command) => {
    for (const dir of (pathVariable ?? '').split(path.delimiter)) {
      if (!path.isAbsolute(dir)) continue
      const candidate = path.join(dir, command)
      try {
        await fs.access(candidate, fsConstants.X_OK)
        if ((await fs.stat(candidate)).isFile()) return candidate
      } catch {
        // not here
      }
    }
    return null
  }
}

export function defaultDoctorEnvironment(options: {
  megacmdPath: string | null
  serviceStatus: () => Promise<ServiceStatus>
  env?: NodeJS.ProcessEnv
  runner?: CommandRunner
}): DoctorEnvironment {
  const env = options.env ?? process.env
  const runner = options.runner ?? execFileRunner
  return {
    platform: process.platform,
    user: env.USER ?? os.userInfo().username,
    access: (file, mode) => fs.access(file, mode),
    stat: (file) => fs.stat(file),
    which: whichOnPath(env.PATH),
    runner,
    mountTable: () => readMountTable(),
    probe: probeBridge,
    // Short bound: the doctor must answer even when MEGAcmd hangs.
    megaCmd: new MegaCmd({ megacmdPath: options.megacmdPath, runner, commandTimeoutMs: INTERNAL_DEFAULTS.doctorCommandTimeoutMs }),
    serviceStatus: options.serviceStatus,
    fuseBackend: () => decideBackend('auto'),
  }
}
