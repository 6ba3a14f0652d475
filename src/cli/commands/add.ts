// mountctl add: a new profile in mounts.json, applied at once when the
// daemon runs. The file is edited safely (see config/profile-file-edit.ts).
import path from 'node:path'
import { addProfile, type ProfileEntry } from '../../config/profile-file-edit.js'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand } from '../command.js'
import { describeOutcome } from './mount.js'
import { applyNow, editProfileFile, profileFileTarget, settledStatus } from './profile-file-target.js'

const USAGE = `Usage: mountctl add NAME (--url URL | --mega-path PATH) --mountpoint DIR
                    [--read-only] [--no-autostart] [--config FILE]

Adds the profile NAME to the profile file and, when megamountd runs, mounts
it at once. The rest of the file (other profiles, settings) is kept as it
was. The new profile is checked like the daemon checks it; a bad one is
refused and nothing is written.

  --url URL         the bridge URL that \`mega-webdav /Folder\` prints
  --mega-path PATH  the MEGA folder, e.g. /Photos: the daemon asks MEGAcmd for
                    its URL, serves it when needed and follows renames
  --mountpoint DIR  where it appears, e.g. ~/MEGA/Photos (created if missing)
  --read-only       refuse every write
  --no-autostart    do not mount when the daemon starts (mountctl mount NAME)
  --config FILE     the profile file (default: the one megamountd reads, else
                    $XDG_CONFIG_HOME/megamount/mounts.json)

Without a running daemon only the file is edited. Exit status: 0 when added
(and mounted, when the daemon runs and it is autostart), 1 otherwise.`

export const addCommand: CliCommand = {
  name: 'add',
  summary: 'add a profile to mounts.json and mount it',
  usage: USAGE,
  options: {
    url: { type: 'string' },
    'mega-path': { type: 'string' },
    mountpoint: { type: 'string' },
    'read-only': { type: 'boolean' },
    'no-autostart': { type: 'boolean' },
    config: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const name = ctx.positionals[0]!
    const { url, 'mega-path': megaPath, mountpoint } = ctx.values as Record<string, string | undefined>
    if ((url === undefined) === (megaPath === undefined) || !mountpoint) {
      ctx.io.stderr(`mountctl add: give exactly one of --url and --mega-path, and --mountpoint\n\n${USAGE}\n`)
      return EXIT_USAGE
    }
    // The shell expands '~/x' but not '--mountpoint=~/x'; keep '~' for the
    // loader to expand, make anything else absolute.
    const mp = mountpoint.startsWith('~') ? mountpoint : path.resolve(mountpoint)
    const entry: ProfileEntry = { name, ...(url !== undefined ? { url } : { megaPath }), mountpoint: mp }
    if (ctx.values['read-only']) entry.readOnly = true
    if (ctx.values['no-autostart']) entry.autostart = false
    const target = await profileFileTarget(ctx)
    const home = ctx.io.env.HOME ? { home: ctx.io.env.HOME } : {}
    if (!(await editProfileFile(ctx, 'add', () => addProfile(target.file, entry, home)))) return EXIT_FAILED
    ctx.io.stdout(`added "${name}" to ${target.file}\n`)
    if (!target.running) {
      ctx.io.stdout(`${target.notApplied}; the profile mounts when a daemon reading it starts\n`)
      return EXIT_OK
    }
    await applyNow(ctx)
    if (ctx.values['no-autostart']) {
      ctx.io.stdout(`not autostart: mount it with mountctl mount ${name}\n`)
      return EXIT_OK
    }
    const m = await settledStatus(ctx, name)
    if (!m) return EXIT_FAILED
    ctx.io.stdout(describeOutcome(m))
    return m.state === 'mounted' ? EXIT_OK : EXIT_FAILED
  },
}
