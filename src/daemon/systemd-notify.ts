// Tells systemd the daemon is ready (the unit is Type=notify). Node has no
// Unix datagram sockets, and sd_notify's protocol is one datagram to
// $NOTIFY_SOCKET, so the message is sent by systemd's own `systemd-notify`,
// run as a child (no native module). Its message comes from another process
// than the daemon's, which systemd accepts with NotifyAccess=all in the unit.
// systemd-notify waits until the manager has processed the message (a
// BARRIER=1 round, systemd 246 and newer) so the manager still sees the
// child in the service's cgroup when it reads the message.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { Env } from '../config/paths.js'
import type { Logger } from '../log.js'

export type RunNotify = (file: string, args: string[], options: { env: NodeJS.ProcessEnv; timeout: number }) => Promise<unknown>

const execFileAsync: RunNotify = promisify(execFile)

const NOTIFY_TIMEOUT_MS = 10_000

export interface NotifyMessage {
  ready?: boolean
  /** One line for `systemctl --user status megamount`. */
  status?: string
}

/** 'no-socket' when not started by systemd as Type=notify (nothing to do). */
export async function notifySystemd(message: NotifyMessage, env: Env, logger: Logger, run: RunNotify = execFileAsync): Promise<'sent' | 'no-socket' | 'failed'> {
  if (!env.NOTIFY_SOCKET) return 'no-socket'
  const args = [...(message.ready ? ['--ready'] : []), ...(message.status !== undefined ? [`--status=${message.status}`] : [])]
  try {
    await run('systemd-notify', args, { env: env as NodeJS.ProcessEnv, timeout: NOTIFY_TIMEOUT_MS })
    return 'sent'
  } catch (err) {
    const hint = message.ready
      ? 'systemd stops the service after TimeoutStartSec without it: check that systemd-notify is on the unit\'s PATH, or reinstall the unit (mountctl service install)'
      : undefined
    logger.warn(
      { err: (err as Error).message, notifySocket: env.NOTIFY_SOCKET, ...(hint ? { hint } : {}) },
      message.ready ? 'cannot tell systemd the daemon is ready (systemd-notify failed)' : 'cannot send a status to systemd (systemd-notify failed)',
    )
    return 'failed'
  }
}
