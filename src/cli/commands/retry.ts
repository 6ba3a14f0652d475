import { EXIT_OK, type CliCommand } from '../command.js'

export const retryCommand: CliCommand = {
  name: 'retry',
  summary: 'try failed uploads again now (all of a mount, or one file)',
  usage: `Usage: mountctl retry NAME [PATH]

Tries the failed uploads of the mount NAME again at once, with a fresh count
of attempts; uploads waiting for their next try go at once too. PATH (a path
inside the mount such as /Holidays/a.jpg, or the file's path under the
mountpoint) retries only that file. Fix the cause first (a full account:
free space in MEGA). Exit status: 0 when something was retried, 1 otherwise.`,
  positionals: { min: 1, max: 2 },
  async run(ctx) {
    const [name, path] = ctx.positionals
    const { retried } = await ctx.request('retry', { name: name!, path })
    ctx.io.stdout(`${name}: retrying ${retried} upload${retried === 1 ? '' : 's'} now; follow them with: mountctl uploads ${name}\n`)
    return EXIT_OK
  },
}
