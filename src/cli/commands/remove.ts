// mountctl remove: a profile out of mounts.json, unmounted at once when the
// daemon runs.
import { removeProfile } from '../../config/profile-file-edit.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'
import { applyNow, editProfileFile, profileFileTarget } from './profile-file-target.js'

export const removeCommand: CliCommand = {
  name: 'remove',
  summary: 'remove a profile from mounts.json and unmount it',
  usage: `Usage: mountctl remove NAME [--config FILE]

Removes the profile NAME from the profile file and, when megamountd runs,
unmounts it. The rest of the file is kept as it was. Its cache and upload
journal stay in the state folder: adding the profile back picks them up.

  --config FILE   the profile file (default: the one megamountd reads, else
                  $XDG_CONFIG_HOME/megamount/mounts.json)

Without a running daemon only the file is edited. Exit status: 0 when
removed, 1 otherwise.`,
  options: { config: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const name = ctx.positionals[0]!
    const target = await profileFileTarget(ctx)
    if (!(await editProfileFile(ctx, 'remove', () => removeProfile(target.file, name)))) return EXIT_FAILED
    ctx.io.stdout(`removed "${name}" from ${target.file}\n`)
    if (!target.running) {
      ctx.io.stdout(`${target.notApplied}\n`)
      return EXIT_OK
    }
    const summary = await applyNow(ctx)
    // The file watcher may have applied it first; then this reload sees no change.
    const gone = summary.removed.includes(name) || !summary.unchanged.includes(name)
    ctx.io.stdout(gone ? `${name}: unmounted\n` : `${name}: still known to the daemon, see mountctl status\n`)
    return gone ? EXIT_OK : EXIT_FAILED
  },
}
