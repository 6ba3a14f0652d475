// Is MEGAcmd there, running and logged in. Required only when a profile
// names a megaPath; for url-only profiles a missing MEGAcmd is reported as
// fine (any WebDAV server will do).
import type { DoctorEnvironment } from '../environment.js'
import { isMegaCmdError } from '../../megacmd/errors.js'
import type { Check } from '../types.js'

export function megacmdCheck(env: DoctorEnvironment, required: boolean): Check {
  return {
    id: 'megacmd',
    title: 'MEGAcmd installed, running, logged in',
    async run() {
      try {
        const who = await env.megaCmd.whoami()
        if (who.loggedIn) return { ok: true, detail: `logged in as ${who.email}` }
        return { ok: false, detail: 'MEGAcmd is running but not logged in: its bridge answers 404 to everything', fix: 'mega-login <email>' }
      } catch (err) {
        if (isMegaCmdError(err, 'megacmd-missing') && !required) {
          return { ok: true, detail: 'not installed; not needed: no profile uses "megaPath"' }
        }
        if (isMegaCmdError(err)) return { ok: false, detail: err.message, ...(err.fix ? { fix: err.fix } : {}) }
        return { ok: false, detail: (err as Error).message, fix: 'run mega-whoami to see what MEGAcmd says' }
      }
    },
  }
}
