import { EXIT_OK, type CliCommand } from '../command.js'

export const refreshCommand: CliCommand = {
  name: 'refresh',
  summary: 'forget cached listings so changes made elsewhere show at once',
  usage: `Usage: mountctl refresh NAME [PATH]

Drops the cached metadata and content of PATH (a path inside the mount such as
/Holidays/2024; default: everything) of the mount NAME, so the next access
asks the bridge. Useful after changing files in MEGA's app or web site.`,
  positionals: { min: 1, max: 2 },
  async run(ctx) {
    const [name, path] = ctx.positionals
    await ctx.request('refresh', { name: name!, path })
    ctx.io.stdout(`${name}: cache dropped for ${path ?? 'the whole mount'}\n`)
    return EXIT_OK
  },
}
