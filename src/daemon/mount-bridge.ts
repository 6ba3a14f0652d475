// One mount's bridge: its URL (a megaPath profile's is asked of MEGAcmd, and
// asked again when the served folder is renamed or dropped), the remote that
// talks to it, and the check that probes it and says why it failed.
import type { Profile } from '../config/types.js'
import { plainHttpWarning } from '../config/url-check.js'
import type { Logger } from '../log.js'
import { RemoteError, type Remote } from '../remote/remote.js'
import type { MountBackend } from './backend.js'
import type { BridgeProbe, ProbeResult } from './bridge-probe.js'
import { explainBridgeError, explainResolveError, type Explained } from './explain-error.js'

const FINE: Explained = { message: '', hint: '' }

export class MountBridge {
  #url: string | null = null
  #warnedUrl: string | null = null
  #remote: Remote | null = null

  constructor(
    private readonly o: { profile: Profile; backend: MountBackend; logger: Logger; probe: BridgeProbe },
  ) {
    this.url = o.profile.url
  }

  get url(): string | null {
    return this.#url
  }

  /** A URL's warning (plain HTTP to another computer) is logged once; a
   *  megaPath profile learns its URL later, and may be given a new one. */
  private set url(url: string | null) {
    this.#url = url
    const warning = url === null || url === this.#warnedUrl ? null : plainHttpWarning(url)
    if (!warning) return
    this.#warnedUrl = url
    this.o.logger.warn({ url }, warning)
  }

  /** What status lists under the mount: works, but should not be so. */
  warnings(): string[] {
    const warning = this.#url === null ? null : plainHttpWarning(this.#url)
    return warning ? [warning] : []
  }

  /** The remote, made at the first call (which resolves the URL); throws a
   *  failure that explainResolveError turns into status. */
  async remote(): Promise<Remote> {
    if (this.#remote) return this.#remote
    const { profile, backend, logger } = this.o
    this.url = await backend.resolveUrl(profile, logger)
    this.#remote = backend.createRemote(profile, this.url, logger)
    return this.#remote
  }

  /** The remote at a URL known without asking MEGAcmd (the one that served a
   *  stored tree last): MEGAcmd may be down or still loading. A remote made
   *  before is kept. */
  remoteAt(url: string): Remote {
    if (this.#remote) return this.#remote
    this.url = url
    this.#remote = this.o.backend.createRemote(this.o.profile, url, this.o.logger)
    return this.#remote
  }

  /** Probes the root and, when it fails, says why for status. A renamed
   *  folder changes its bridge URL: a megaPath profile asks MEGAcmd for the
   *  new one (by the folder's handle) and probes that at once. */
  async check(): Promise<{ probe: ProbeResult; explained: Explained }> {
    const { profile, backend, logger } = this.o
    const remote = await this.remote()
    let probe = await this.o.probe.probe(remote)
    // 404 on the root: logged out, renamed or no longer served; 403: the
    // bridge knows the handle but no longer serves it (mega-webdav -d).
    const gone = !probe.ok && probe.error instanceof RemoteError && (probe.error.kind === 'root-missing' || probe.error.kind === 'forbidden')
    if (probe.ok) return { probe, explained: FINE }
    if (!gone) return { probe, explained: explainBridgeError(probe.error, this.url, profile.requestTimeoutMs) }
    // MEGAcmd tells which; a megaPath profile also gets its (new) URL from
    // it, and resolving serves the folder again when it was dropped.
    if (profile.megaPath) {
      try {
        const url = await backend.resolveUrl(profile, logger, this.url)
        if (url !== this.url) {
          logger.info({ from: this.url, to: url }, 'served folder has a new URL')
          this.url = url
          ;(remote as Remote & { setUrl?(url: string): void }).setUrl?.(url)
        }
        probe = await this.o.probe.probe(remote)
        if (probe.ok) return { probe, explained: FINE }
      } catch (err) {
        return { probe, explained: explainResolveError(err) }
      }
    }
    const generic = explainBridgeError(probe.ok ? null : probe.error, this.url, profile.requestTimeoutMs)
    try {
      return { probe, explained: (await backend.explainRootMissing?.(profile, this.url, logger)) ?? generic }
    } catch (err) {
      logger.debug({ err }, 'asking why the root is missing failed')
      return { probe, explained: generic }
    }
  }
}
