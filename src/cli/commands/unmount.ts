import type { MountStatus } from '../../daemon/mount-status.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'
import { describeOutcome } from './mount.js'

export const unmountCommand: CliCommand = {
  name: 'unmount',
  summary: 'unmount one profile (until mountctl mount or a daemon restart)',
  usage: `Usage: mountctl unmount NAME

Unmounts the profile NAME and stops retrying it. It stays unmounted until
\`mountctl mount NAME\`, or until the daemon restarts when it is autostart.
Exit status: 0 when unmounted, 1 otherwise, 3 when megamountd is not running.`,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const m = (await ctx.request('unmount', { name: ctx.positionals[0] })) as MountStatus
    ctx.io.stdout(describeOutcome(m))
    return m.state === 'unmounted' ? EXIT_OK : EXIT_FAILED
  },
}
