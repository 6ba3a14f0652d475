// Does the profile's bridge answer: a PROPFIND Depth 0 on its URL (for a
// megaPath profile, the URL MEGAcmd lists for that path; the doctor never
// starts serving anything itself).
import type { Profile } from '../../config/types.js'
import { plainHttpWarning } from '../../config/url-check.js'
import { isMegaCmdError } from '../../megacmd/errors.js'
import { resolveMegaPath } from '../../megacmd/resolve-mega-path.js'
import type { DoctorEnvironment } from '../environment.js'
import { BRIDGE_PROBE_TIMEOUT_MS } from '../probe-bridge.js'
import type { Check, CheckResult } from '../types.js'

const FIX_RESTART_MEGACMD = 'restart MEGAcmd: mega-quit, then mega-cmd-server (its log: ~/.megaCmd/megacmdserver.log)'

export function bridgeCheck(
  profile: Pick<Profile, 'name' | 'url' | 'megaPath' | 'serveIfNeeded'>,
  env: DoctorEnvironment,
  timeoutMs: number = BRIDGE_PROBE_TIMEOUT_MS,
): Check {
  return {
    id: `bridge:${profile.name}`,
    title: `bridge of "${profile.name}"`,
    async run(): Promise<CheckResult> {
      const probed: { url: string | null } = { url: null }
      const result = await probeBridge(profile, env, timeoutMs, probed)
      const warning = probed.url ? plainHttpWarning(probed.url) : null
      return warning ? { ...result, warning } : result
    },
  }
}

/** The check's answer; `probed.url` is set to the URL it probed. */
async function probeBridge(
  profile: Pick<Profile, 'name' | 'url' | 'megaPath' | 'serveIfNeeded'>,
  env: DoctorEnvironment,
  timeoutMs: number,
  probed: { url: string | null },
): Promise<CheckResult> {
  let url = profile.url
  if (!url && profile.megaPath) {
    try {
      url = await resolveMegaPath(env.megaCmd, profile.megaPath, { serveIfNeeded: false })
    } catch (err) {
      if (isMegaCmdError(err, 'not-served') && profile.serveIfNeeded) {
        return { ok: true, detail: `${profile.megaPath} is not served yet; the daemon runs mega-webdav ${profile.megaPath} when it mounts` }
      }
      if (isMegaCmdError(err)) return { ok: false, detail: err.message, ...(err.fix ? { fix: err.fix } : {}) }
      return { ok: false, detail: (err as Error).message, fix: FIX_RESTART_MEGACMD }
    }
  }
  if (!url) return { ok: false, detail: 'the profile has neither "url" nor "megaPath"', fix: 'add "url" or "megaPath" to the profile' }

  probed.url = url
  const serveHint = profile.megaPath ? `mega-webdav ${profile.megaPath}` : 'mega-webdav /<folder>, then put the printed URL in "url"'
  const result = await env.probe(url, timeoutMs)
  switch (result.kind) {
    case 'ok':
      return { ok: true, detail: `${url} answers (${result.status})` }
    case 'refused':
      return {
        ok: false,
        detail: `${url} refuses connections: the bridge is down (MEGAcmd not running, or still fetching the account after start)`,
        fix: `start MEGAcmd (mega-cmd-server, or open the MEGAcmd app), wait until mega-webdav lists the folder, or serve it: ${serveHint}`,
      }
    case 'timeout':
      return { ok: false, detail: `${url} did not answer within ${result.timeoutMs} ms`, fix: `wait a minute and run mountctl doctor again; if it persists, ${FIX_RESTART_MEGACMD}` }
    case 'status':
      if (result.status === 404 || result.status === 403) {
        return {
          ok: false,
          detail: `${url} answers ${result.status}: MEGAcmd is logged out, or the folder was renamed or is no longer served`,
          fix: profile.megaPath
            ? `mega-whoami (if logged out: mega-login <email>), then ${serveHint}`
            : 'mega-whoami (if logged out: mega-login <email>); mega-webdav lists what is served: put the current URL in "url", or use "megaPath" so renames are followed',
        }
      }
      return { ok: false, detail: `${url} answers ${result.status}`, fix: FIX_RESTART_MEGACMD }
    case 'error':
      return { ok: false, detail: `${url}: ${result.message}`, fix: `check the profile's "url"; ${FIX_RESTART_MEGACMD}` }
  }
}
