// Whether a profile's mountpoint can take its mount: the parent folder exists,
// no file is in the way, no dead mount (left by a killed daemon: every access
// fails with ENOTCONN, "Transport endpoint is not connected") is in the way.
// The rest (not empty, someone else's mount) is the config loader's check.
import path from 'node:path'
import { checkMountpoint, fsNameFor } from '../../config/mountpoint-check.js'
import type { Profile } from '../../config/types.js'
import type { DoctorEnvironment } from '../environment.js'
import type { Check } from '../types.js'

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code
}

export function mountpointCheck(profile: Pick<Profile, 'name' | 'mountpoint'>, env: DoctorEnvironment): Check {
  const mp = profile.mountpoint
  return {
    id: `mountpoint:${profile.name}`,
    title: `mountpoint of "${profile.name}" (${mp})`,
    async run() {
      try {
        await env.stat(mp)
      } catch (err) {
        const code = errnoOf(err)
        if (code === 'ENOTCONN') {
          return {
            ok: false,
            detail: `${mp} is a dead mount (its daemon is gone; every access fails with ENOTCONN)`,
            fix: env.platform === 'darwin' ? `umount -f "${mp}"` : `fusermount -uz "${mp}"`,
          }
        }
        if (code === 'ENOTDIR') {
          return { ok: false, detail: `a folder above ${mp} is a file`, fix: `choose another "mountpoint" for "${profile.name}"` }
        }
        if (code !== 'ENOENT') return { ok: false, detail: `${mp} cannot be checked: ${(err as Error).message}`, fix: `ls -ld "${mp}"` }
        const parent = path.dirname(mp)
        try {
          if (!(await env.stat(parent)).isDirectory()) {
            return { ok: false, detail: `${parent} is not a folder`, fix: `choose another "mountpoint" for "${profile.name}"` }
          }
        } catch {
          return { ok: false, detail: `the parent folder ${parent} does not exist`, fix: `mkdir -p "${parent}"` }
        }
        return { ok: true, detail: `${mp} does not exist yet; the daemon creates it` }
      }
      const mountTable = await env.mountTable()
      const problem = await checkMountpoint(mp, { mountTable })
      if (problem) return { ok: false, detail: problem.problem, fix: problem.hint }
      const ours = mountTable.some((m) => m.mountpoint === mp && m.source === fsNameFor(profile.name))
      return { ok: true, detail: ours ? `${mp} is mounted` : `${mp} is an empty folder` }
    },
  }
}
