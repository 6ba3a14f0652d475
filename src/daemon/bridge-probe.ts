// The supervisor's health probe of a bridge: stat('/') of the served folder,
// bounded by a timeout on the supervisor's own clock too, so a hung bridge
// ends as a timeout even if the remote hangs; and what status says when it
// fails.
import type { Profile } from '../config/types.js'
import type { Logger } from '../log.js'
import { RemoteError, type Remote } from '../remote/remote.js'
import type { MountBackend } from './backend.js'
import { explainBridgeError, type Explained } from './explain-error.js'
import type { Scheduler } from './scheduler.js'

export type ProbeResult = { ok: true; latencyMs: number } | { ok: false; error: unknown }

/** Probes remote; abort ends the probe early as a failure with abort's reason. */
export function probeBridge(remote: Remote, scheduler: Scheduler, timeoutMs: number, abort: AbortController): Promise<ProbeResult> {
  const started = scheduler.now()
  return new Promise<ProbeResult>(resolve => {
    let done = false
    const finish = (r: ProbeResult) => {
      if (done) return
      done = true
      scheduler.clearTimeout(timeout)
      resolve(r)
    }
    const timeout = scheduler.setTimeout(() => {
      finish({ ok: false, error: new RemoteError('timeout', `no answer within ${timeoutMs} ms`) })
      abort.abort(new Error('probe timed out'))
    }, timeoutMs)
    abort.signal.addEventListener('abort', () => finish({ ok: false, error: abort.signal.reason }), { once: true })
    remote.stat('/', { signal: abort.signal }).then(
      () => finish({ ok: true, latencyMs: scheduler.now() - started }),
      error => finish({ ok: false, error }),
    )
  })
}

export interface BridgeCheck {
  probe: ProbeResult
  explained: Explained
}

export interface BridgeCheckContext {
  profile: Profile
  backend: MountBackend
  logger: Logger
  url(): string | null
  /** The served folder answers at a new URL from now on. */
  setUrl(url: string): void
  probe(): Promise<ProbeResult>
}

/** Probes the root and, when it fails, says why for status. A renamed
 *  folder changes its bridge URL: a megaPath profile asks MEGAcmd for the
 *  new one (by the folder's handle) and probes that at once. */
export async function checkBridge(ctx: BridgeCheckContext): Promise<BridgeCheck> {
  const { profile, backend, logger } = ctx
  let probe = await ctx.probe()
  // 404 on the root: logged out, renamed or no longer served; 403: the
  // bridge knows the handle but no longer serves it (mega-webdav -d).
  const gone = !probe.ok && probe.error instanceof RemoteError && (probe.error.kind === 'root-missing' || probe.error.kind === 'forbidden')
  if (probe.ok || !gone) {
    return { probe, explained: probe.ok ? { message: '', hint: '' } : explainBridgeError(probe.error, ctx.url(), profile.requestTimeoutMs) }
  }
  // MEGAcmd tells which; a megaPath profile also gets its (new) URL from
  // it, and resolving serves the folder again when it was dropped.
  if (profile.megaPath) {
    try {
      const url = await backend.resolveUrl(profile, logger, ctx.url())
      if (url !== ctx.url()) {
        logger.info({ from: ctx.url(), to: url }, 'served folder has a new URL')
        ctx.setUrl(url)
      }
      probe = await ctx.probe()
      if (probe.ok) return { probe, explained: { message: '', hint: '' } }
    } catch (err) {
      return { probe, explained: explainResolveError(err) }
    }
  }
  const generic = explainBridgeError((probe as { error: unknown }).error, ctx.url(), profile.requestTimeoutMs)
  try {
    return { probe, explained: (await backend.explainRootMissing?.(profile, ctx.url(), logger)) ?? generic }
  } catch (err) {
    logger.debug({ err }, 'asking why the root is missing failed')
    return { probe, explained: generic }
  }
}

export function explainResolveError(err: unknown): Explained {
  const hint = (err as { hint?: unknown }).hint
  return {
    message: err instanceof Error ? err.message : String(err),
    hint: typeof hint === 'string' ? hint : 'use "url" with the URL that `mega-webdav /Folder` prints',
  }
}
