import type { UploadItem } from '../../control/wire-types.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'
import { formatBytes } from '../format-bytes.js'

function describeItem(i: UploadItem): string {
  const why = i.state === 'failed' && i.lastError ? `failed: ${i.lastError}` : i.state
  return `${i.path} (${formatBytes(i.bytes)}, ${why})`
}

export const discardCommand: CliCommand = {
  name: 'discard',
  summary: 'drop one file\'s pending upload and its staged copy (asks first)',
  usage: `Usage: mountctl discard NAME PATH [--yes]

Gives up on uploading PATH of the mount NAME: its staged copy on this
computer is deleted and that content never reaches MEGA (what MEGA already
had under that name stays as it was). Asks for confirmation unless --yes.
Use it for a failed upload you do not need; to try again instead:
mountctl retry NAME PATH.

  --yes   do not ask (needed when mountctl does not run in a terminal)`,
  options: { yes: { type: 'boolean' } },
  positionals: { min: 2, max: 2 },
  async run(ctx) {
    const [name, path] = ctx.positionals as [string, string]
    if (!ctx.values.yes) {
      const { item } = await ctx.request('discard', { name, path, dryRun: true })
      if (!ctx.io.confirm) {
        ctx.io.stderr(`mountctl discard: this deletes the staged copy of ${describeItem(item)} and cannot be undone; add --yes to confirm\n`)
        return EXIT_FAILED
      }
      const yes = await ctx.io.confirm(
        `Discard the upload of ${describeItem(item)} from ${name}?\nIts staged copy is deleted and this content never reaches MEGA. [y/N] `,
      )
      if (!yes) {
        ctx.io.stdout('Nothing discarded.\n')
        return EXIT_FAILED
      }
    }
    const { item } = await ctx.request('discard', { name, path })
    ctx.io.stdout(`${name}: discarded ${item.path} (${formatBytes(item.bytes)}); its staged copy is deleted\n`)
    return EXIT_OK
  },
}
