import { allWantedMounted, anyUploadFailed, profileFileInvalid } from '../../control/wire-types.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'
import { formatProfileFileError, formatStatusTable, statusJson } from '../format-status.js'

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'show every mount: state, bridge, cache, uploads, last error and what to do',
  usage: `Usage: mountctl status [NAME] [--json]

Shows each profile's state (mounted, degraded, waiting, unmounted, failed),
whether its bridge answers and how fast, the metadata cache, names hidden as
duplicates, the upload queue (queued, uploading, failed), and the last error
with what to do about it.

  --json   machine-readable output (see docs/status.md)

Exit status: 0 when every profile that should be mounted is mounted, no
upload has failed and the profile file is applied as written (a broken edit
keeps mounts as they were, and is shown), 1 otherwise, 3 when megamountd is
not running.`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(ctx) {
    const name = ctx.positionals[0]
    const report = await ctx.request('status', { name })
    if (ctx.values.json) {
      ctx.io.stdout(statusJson(report.mounts, report.daemon.profileFileError ?? null, report.daemon.idleMemoryReducer))
    } else if (report.mounts.length === 0) {
      ctx.io.stdout(`${formatProfileFileError(report.daemon.profileFileError)}No profiles in ${report.daemon.configFile}.\nAdd one (see mounts.example.json and docs/configuration.md), then run: mountctl reload\n`)
    } else {
      ctx.io.stdout(formatProfileFileError(report.daemon.profileFileError) + formatStatusTable(report.mounts, ctx.io.env.HOME))
    }
    return allWantedMounted(report.mounts) && !anyUploadFailed(report.mounts) && !profileFileInvalid(report) ? EXIT_OK : EXIT_FAILED
  },
}
