// Whether a profile's mountpoint can take its mount: it can be created,
// no file is in the way, no dead mount (left by a killed daemon: every access
// fails with ENOTCONN, "Transport endpoint is not connected") is in the way.
// The rest (not empty, someone else's mount) is the config loader's check.
import { constants as fsConstants } from 'node:fs'
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
        // The daemon creates the mountpoint with its parents (mkdir -p), so
        // what matters is the nearest folder that exists: it must be one, and
        // writable by this user.
        let existing = path.dirname(mp)
        for (;;) {
          try {
            if (!(await env.stat(existing)).isDirectory()) {
              return { ok: false, detail: `${existing} is not a folder`, fix: `choose another "mountpoint" for "${profile.name}"` }
            }
            break
          } catch (err) {
            if (errnoOf(err) !== 'ENOENT' || path.dirname(existing) === existing) {
              return { ok: false, detail: `${existing} cannot be checked: ${(err as Error).message}`, fix: `ls -ld "${existing}"` }
            }
            existing = path.dirname(existing)
          }
        }
        try {
          await env.access(existing, fsConstants.W_OK)
        } catch {
          return {
            ok: false,
            detail: `${mp} does not exist and ${env.user} cannot create it in ${existing}`,
            fix: `sudo mkdir -p "${mp}" && sudo chown ${env.user} "${mp}"`,
          }
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
