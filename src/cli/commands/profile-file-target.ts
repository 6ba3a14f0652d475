// Which profile file mountctl add/remove edit, and telling the daemon about
// the edit. The daemon knows the file it reads (status reports it), so by
// default that is the one edited; without a running daemon, --config or the
// default path.
import { ConfigError } from '../../config/config-error.js'
import { givenConfigFile } from '../config-option.js'
import { defaultConfigFile } from '../../config/paths.js'
import { DaemonNotRunningError } from '../../control/client.js'
import type { MountStatus, ReloadSummary } from '../../control/wire-types.js'
import type { CliContext } from '../command.js'

export interface Target {
  file: string
  /** The daemon answers on the socket and reads this file. */
  running: boolean
  /** Why the edit will not be applied now, when it will not. */
  notApplied: string
}

export async function profileFileTarget(ctx: CliContext): Promise<Target> {
  const given = givenConfigFile(ctx)
  let daemonFile: string | null = null
  try {
    daemonFile = (await ctx.request('status', {})).daemon.configFile
  } catch (err) {
    if (!(err instanceof DaemonNotRunningError)) throw err
  }
  if (given && daemonFile && given !== daemonFile) {
    ctx.io.stderr(`mountctl: note: megamountd reads ${daemonFile}, not ${given}; the change applies when a daemon reads ${given}\n`)
  }
  const running = daemonFile !== null && (!given || given === daemonFile)
  const notApplied = daemonFile === null ? 'megamountd is not running: only the file was changed' : 'megamountd reads another file: only this file was changed'
  return { file: given ?? daemonFile ?? defaultConfigFile(ctx.io.env), running, notApplied }
}

/** Makes an edit of the profile file; one the file refuses (a ConfigError:
 *  a taken name, a bad URL, a broken file) is told with its fix, and false
 *  returned: nothing was written. */
export async function editProfileFile(ctx: CliContext, command: string, edit: () => Promise<unknown>): Promise<boolean> {
  try {
    await edit()
    return true
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    ctx.io.stderr(`mountctl ${command}: ${err.message}\n  fix: ${err.hint}\n`)
    return false
  }
}

/** Asks the daemon to apply the file now (its watcher would too, half a
 *  second later) and returns what changed. */
export async function applyNow(ctx: CliContext): Promise<ReloadSummary> {
  return ctx.request('reload', {})
}

/** The profile's status once its first mount attempt has settled (a few
 *  seconds at most: a bridge that does not answer leaves it waiting). */
export async function settledStatus(ctx: CliContext, name: string, timeoutMs = 5_000): Promise<MountStatus | null> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const report = await ctx.request('status', { name }).catch(() => null)
    const m = report?.mounts[0] ?? null
    if (!m || m.state !== 'waiting' || m.lastError || Date.now() > deadline) return m
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}
