import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../command.js'
import { formatUploadsTable } from '../format-uploads.js'

export const uploadsCommand: CliCommand = {
  name: 'uploads',
  summary: 'list files waiting to upload, uploading or failed',
  usage: `Usage: mountctl uploads [NAME] [--json]

Lists, file by file, what the mounts (or the mount NAME) still have to upload:
state (queued, uploading, failed), size, progress, attempts, when it is next
tried, and the last error. Files written and closed wait uploadDelayMs before
they go; a file still open by a program waits until it is closed.

  --json   machine-readable output (see docs/status.md)

Exit status: 0, or 1 when an upload has failed (mountctl retry NAME tries
again, mountctl discard NAME PATH drops one); 3 when megamountd is not running.`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 0, max: 1 },
  async run(ctx) {
    const name = ctx.positionals[0]
    const { uploads } = await ctx.request('uploads', { name })
    if (ctx.values.json) ctx.io.stdout(JSON.stringify({ uploads }, null, 2) + '\n')
    else if (uploads.length === 0) ctx.io.stdout(`Nothing to upload${name ? ` on ${name}` : ''}: everything written has reached MEGA.\n`)
    else ctx.io.stdout(formatUploadsTable(uploads, Date.now()))
    return uploads.some(u => u.state === 'failed') ? EXIT_FAILED : EXIT_OK
  },
}
