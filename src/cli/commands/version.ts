// mountctl version [--json]: what runs, for a bug report or after an
// upgrade (a daemon started before it still runs the old code).
import { CommandFailed, DaemonNotRunningError } from '../../control/client.js'
import type { CommandResults } from '../../control/commands.js'
import { packageVersion } from '../../version.js'
import { EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK, type CliCommand } from '../command.js'

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'show the versions of mountctl, megamountd and Node, and the FUSE backend of each mount',
  usage: `Usage: mountctl version [--json]

Shows the version of mountctl and of the running megamountd, the Node.js
version each runs on, and the FUSE backend serving each mount. After an
upgrade, a daemon started before it shows its old version until restarted.

  --json   machine-readable output (see docs/status.md)

Exit status: 0, 1 when the daemon does not know this command (it is older:
restart it), 3 when megamountd is not running.`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const mountctl = { version: packageVersion(), node: process.versions.node }
    let daemon: CommandResults['version'] | null = null
    let problem: string | null = null
    let code = EXIT_OK
    try {
      daemon = await ctx.request('version', {})
    } catch (err) {
      if (err instanceof DaemonNotRunningError) {
        problem = `not running (nothing answers on ${ctx.socketPath})`
        code = EXIT_NOT_RUNNING
      } else if (err instanceof CommandFailed) {
        problem = `answers, but not to "version" (${err.body.message}): it is older than this mountctl; restart it`
        code = EXIT_FAILED
      } else throw err
    }
    if (ctx.values.json) {
      ctx.io.stdout(JSON.stringify({ mountctl, megamountd: daemon?.daemon ?? null, mounts: daemon?.mounts ?? [] }, null, 2) + '\n')
      return code
    }
    const lines = [`mountctl    ${mountctl.version}  (Node ${mountctl.node})`]
    if (daemon) lines.push(`megamountd  ${daemon.daemon.version}  (Node ${daemon.daemon.node}, pid ${daemon.daemon.pid})`)
    else lines.push(`megamountd  ${problem}`)
    daemon?.mounts.forEach((m, i) => lines.push(`${i === 0 ? 'FUSE' : ''}`.padEnd(12) + `${m.name}: ${m.backend ?? 'not mounted'}`))
    ctx.io.stdout(lines.join('\n') + '\n')
    return code
  },
}
