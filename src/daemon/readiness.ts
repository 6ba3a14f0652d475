// When the daemon counts as started for its service manager: every autostart
// mount has mounted, settled in waiting (its bridge is not there yet: it
// mounts later by itself) or failed. `systemctl --user start` returns then,
// and units ordered after megamount.service find the mounts in place.
import type { Env } from '../config/paths.js'
import type { Logger } from '../log.js'
import type { MountStatus } from '../control/wire-types.js'
import type { Time } from '../clock.js'
import { READY_WAIT_MAX_SECONDS } from '../config/service-timeouts.js'
import { notifySystemd, type NotifyMessage } from './systemd-notify.js'

export interface ReadinessSource {
  started(): Promise<void>
  status(): { mounts: MountStatus[] }
}

export interface AnnounceOptions {
  env: Env
  logger: Logger
  time: Time
  notify?: (message: NotifyMessage, env: Env, logger: Logger) => Promise<unknown>
}

/** '2 of 3 mounts mounted, 1 waiting' */
export function readinessSummary(mounts: MountStatus[]): string {
  const wanted = mounts.filter(m => m.wanted)
  const mounted = wanted.filter(m => m.state === 'mounted').length
  const others = new Map<string, number>()
  for (const m of wanted) if (m.state !== 'mounted') others.set(m.state, (others.get(m.state) ?? 0) + 1)
  return [`${mounted} of ${wanted.length} mounts mounted`, ...[...others].map(([state, n]) => `${n} ${state}`)].join(', ')
}

export async function announceReady(daemon: ReadinessSource, opts: AnnounceOptions): Promise<void> {
  let cap!: () => void
  const capped = new Promise<'capped'>(resolve => (cap = () => resolve('capped')))
  const timer = opts.time.setTimeout(cap, READY_WAIT_MAX_SECONDS * 1000)
  const outcome = await Promise.race([daemon.started().then(() => 'settled' as const), capped])
  timer.cancel()
  const status = readinessSummary(daemon.status().mounts)
  if (outcome === 'settled') opts.logger.info({ status }, 'ready: every autostart mount has mounted, is waiting for its bridge, or failed')
  else opts.logger.warn({ status, waitedSeconds: READY_WAIT_MAX_SECONDS }, 'ready, with mounts still on their first attempt')
  await (opts.notify ?? notifySystemd)({ ready: true, status }, opts.env, opts.logger)
}
