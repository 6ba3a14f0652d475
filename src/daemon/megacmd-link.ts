// The daemon's use of MEGAcmd: finding a megaPath profile's URL, telling why
// a served root answers 404, and the account's storage for df. One MegaCmd
// (re-made when settings.megacmdPath changes) and one DfCache for all mounts:
// they share one account.
import type { Time } from '../clock.js'
import type { DaemonSettings, Profile } from '../config/types.js'
import type { Logger } from '../log.js'
import { DfCache, MegaCmd, isMegaCmdError, resolveMegaPath, type MegaCmdApi } from '../megacmd/index.js'
import { bridgeHandle } from '../megacmd/resolve-mega-path.js'
import type { Explained } from './explain-error.js'

export interface MegaCmdLinkOptions {
  settings: () => DaemonSettings
  /** Tests pass a fake; default: MEGAcmd's commands in settings.megacmdPath or PATH. */
  makeMegaCmd?: (megacmdPath: string | null) => MegaCmdApi
  time?: Time
  /** How old mega-df figures may be before a background refresh. Default:
   *  DfCache's (INTERNAL_DEFAULTS.dfTtlMs). */
  dfTtlMs?: number
}

/** An error whose hint says what to do; the supervisor shows both. */
export class ExplainedError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ExplainedError'
  }
}

const LOGIN = 'log in: mega-login <email>; the mount resumes by itself, queued uploads are kept'

export class MegaCmdLink {
  private megaCmd: MegaCmdApi | null = null
  private megacmdPath: string | null | undefined = undefined
  private dfCache: DfCache | null = null
  private readonly opts: MegaCmdLinkOptions

  constructor(options: MegaCmdLinkOptions) {
    this.opts = options
  }

  /** The MegaCmd of the current settings. */
  get cmd(): MegaCmdApi {
    const wanted = this.opts.settings().megacmdPath
    if (!this.megaCmd || wanted !== this.megacmdPath) {
      this.megacmdPath = wanted
      this.megaCmd = (this.opts.makeMegaCmd ?? (p => new MegaCmd({ megacmdPath: p })))(wanted)
      this.dfCache = null
    }
    return this.megaCmd
  }

  /** The account's storage figures, shared by every mount; never waits on a hung mega-df beyond its first call's bound. */
  get df(): DfCache {
    const cmd = this.cmd
    this.dfCache ??= new DfCache(() => cmd.df(), { ...(this.opts.dfTtlMs !== undefined ? { ttlMs: this.opts.dfTtlMs } : {}), ...(this.opts.time ? { time: this.opts.time } : {}) })
    return this.dfCache
  }

  /** The URL of a megaPath profile. knownUrl, the last URL that worked, lets
   *  a renamed folder be found by its handle. Failures are ExplainedErrors
   *  that say which of "not installed", "not running", "not logged in", "not
   *  served" it is. */
  async resolve(profile: Profile, knownUrl: string | null): Promise<string> {
    const megaPath = profile.megaPath!
    try {
      return await resolveMegaPath(this.cmd, megaPath, { serveIfNeeded: profile.serveIfNeeded, knownUrl })
    } catch (err) {
      throw explainMegaCmdFailure(err, `finding the bridge URL of ${megaPath}`)
    }
  }

  /** Why the served root of `url` answers 404, asked of MEGAcmd: logged out,
   *  renamed (served under another URL) or no longer served. */
  async explainRootMissing(profile: Profile, url: string | null): Promise<Explained> {
    const base = 'the bridge answers 404 for the served folder'
    let who
    try {
      who = await this.cmd.whoami()
    } catch (err) {
      if (isMegaCmdError(err, 'megacmd-missing')) {
        return {
          message: `${base} (MEGAcmd is not installed here, so megamount cannot ask it why)`,
          hint: 'the server behind "url" no longer has that folder: check the URL, or set settings.megacmdPath if MEGAcmd is installed elsewhere',
        }
      }
      const e = explainMegaCmdFailure(err, 'asking MEGAcmd why (mega-whoami)')
      return { message: `${base}; ${e.message}`, hint: e.hint }
    }
    if (!who.loggedIn) return { message: `MEGAcmd is logged out: ${base} (and every other path)`, hint: LOGIN }
    let served
    try {
      served = await this.cmd.servedLocations()
    } catch (err) {
      const e = explainMegaCmdFailure(err, 'listing served folders (mega-webdav)')
      return { message: `${base}; ${e.message}`, hint: e.hint }
    }
    const handle = url ? bridgeHandle(url) : null
    const moved = served.find(l => handle && bridgeHandle(l.url) === handle && l.url !== url)
    if (moved) {
      return {
        message: `the served folder was renamed or moved: MEGAcmd now serves it as ${moved.megaPath} at ${moved.url}`,
        hint: profile.megaPath ? `put "megaPath": "${moved.megaPath}" in profile "${profile.name}"` : `put "url": "${moved.url}" (or "megaPath": "${moved.megaPath}", which follows renames) in profile "${profile.name}"`,
      }
    }
    const path = profile.megaPath ?? '/Folder'
    return {
      message: `the folder is no longer served by MEGAcmd (logged in as ${who.email})`,
      hint: profile.megaPath
        ? `serve it again: mega-webdav ${path}   (or set "serveIfNeeded": true in the profile)`
        : `serve it again: mega-webdav ${path}, and put the URL it prints in "url" of profile "${profile.name}" (or use "megaPath", which follows renames)`,
    }
  }
}

/** A MEGAcmd failure as a sentence with its fix. */
export function explainMegaCmdFailure(err: unknown, doing: string): ExplainedError {
  if (isMegaCmdError(err)) {
    const what: Record<string, string> = {
      'megacmd-missing': 'MEGAcmd is not installed',
      'megacmd-not-running': 'MEGAcmd is not running',
      'not-logged-in': 'MEGAcmd is not logged in',
      'not-served': 'the folder is not served',
      'path-not-found': 'the MEGA path does not exist',
      timeout: 'MEGAcmd did not answer',
      'unexpected-output': 'MEGAcmd said something unexpected',
    }
    const hint = err.kind === 'not-logged-in' ? LOGIN : (err.fix ?? 'run the mega-* command by hand to see what MEGAcmd says')
    return new ExplainedError(`${what[err.kind] ?? 'MEGAcmd failed'} (${doing}): ${err.message}`, hint, { cause: err })
  }
  return new ExplainedError(`${doing} failed: ${(err as Error).message}`, 'check that MEGAcmd runs (mega-whoami), or use "url" instead of "megaPath"', { cause: err })
}

/** True for a URL shaped like MEGA's bridge: a first segment of exactly 8
 *  URL-safe base64 characters. Such mounts get their df figures from mega-df. */
export function looksLikeMegaBridge(url: string): boolean {
  return /^[A-Za-z0-9_-]{8}$/.test(bridgeHandle(url) ?? '')
}
