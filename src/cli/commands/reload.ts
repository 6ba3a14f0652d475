import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'

export const reloadCommand: CliCommand = {
  name: 'reload',
  summary: 're-read mounts.json: mount added profiles, unmount removed, remount changed',
  usage: `Usage: mountctl reload

Re-reads the profile file (like kill -HUP on megamountd). Added profiles
mount, removed ones unmount, changed ones remount, the others are untouched.
A file with a syntax error changes nothing and the error says where it is.
Exit status: 0 when reloaded with every profile valid, 1 otherwise.`,
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const s = await ctx.request('reload', {})
    const part = (label: string, names: string[]) => (names.length ? [`${label}: ${names.join(', ')}`] : [])
    const lines = [...part('added', s.added), ...part('removed', s.removed), ...part('changed', s.changed), ...part('unchanged', s.unchanged), ...part('invalid', s.failed)]
    ctx.io.stdout(`reloaded${lines.length ? '\n  ' + lines.join('\n  ') : ' (no profiles)'}\n`)
    if (s.failed.length) ctx.io.stdout('  see why with: mountctl status\n')
    return s.failed.length ? EXIT_FAILED : EXIT_OK
  },
}
