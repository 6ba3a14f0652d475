import type { MountStatus } from '../../control/wire-types.js'
import { EXIT_FAILED, EXIT_OK, type CliCommand, type CliContext } from '../command.js'
import { formatBytes } from '../format-bytes.js'
import { waitLine } from '../format-uploads.js'
import { ProgressLine } from '../progress-line.js'
import { describeOutcome } from './mount.js'

export const unmountCommand: CliCommand = {
  name: 'unmount',
  summary: 'upload what is pending, then unmount one profile (--force: at once)',
  usage: `Usage: mountctl unmount NAME [--force]

Uploads everything written to the mount NAME that has not reached MEGA yet
(skipping the quiet delay), showing progress, then unmounts it and stops
retrying it. While it waits the mount stays mounted and writable: files
written meanwhile are uploaded too, and a file a program keeps open holds the
unmount until it is closed. A failed upload stops the unmount (see mountctl
uploads NAME). Ctrl-C stops waiting: the mount stays, uploads go on.

  --force   unmount at once; pending uploads stay in the journal and are
            uploaded after the next mountctl mount NAME (or daemon start)

It stays unmounted until \`mountctl mount NAME\`, or until the daemon restarts
when it is autostart. Exit status: 0 when unmounted, 1 otherwise, 3 when
megamountd is not running.`,
  options: { force: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const name = ctx.positionals[0]!
    const m = ctx.values.force
      ? await ctx.request('unmount', { name, force: true })
      : await unmountWaiting(ctx, name)
    ctx.io.stdout(describeOutcome(m))
    const left = m.uploads
    if (left?.inJournal && left.queued + left.failed > 0) {
      const failed = left.failed > 0 ? ` and ${left.failed} failed (${formatBytes(left.failedBytes)})` : ''
      ctx.io.stdout(
        `  ${left.queued} upload${left.queued === 1 ? '' : 's'} (${formatBytes(left.queuedBytes)})${failed} stay in the journal: ` +
          `they upload after mountctl mount ${name}\n`,
      )
    }
    return m.state === 'unmounted' ? EXIT_OK : EXIT_FAILED
  },
}

/** Sends unmount (answered once the uploads are done) and, while it is
 *  pending, polls status on other connections to show the progress. */
async function unmountWaiting(ctx: CliContext, name: string): Promise<MountStatus> {
  const progress = new ProgressLine(ctx.io)
  const stopInterrupt = ctx.io.onInterrupt?.(() => {
    progress.end()
    ctx.io.stderr(`mountctl: stopped waiting; ${name} stays mounted and its uploads go on (mountctl unmount --force ${name} unmounts at once)\n`)
  })
  let done = false
  const unmounting = ctx.request('unmount', { name }, { timeoutMs: 0 }).finally(() => (done = true))
  const interval = ctx.io.pollIntervalMs ?? 500
  try {
    while (!done) {
      await Promise.race([unmounting.catch(() => {}), new Promise(resolve => setTimeout(resolve, interval))])
      if (done) break
      const report = await ctx.request('status', { name }).catch(() => null)
      const u = report?.mounts[0]?.uploads
      if (!done && u && u.queued + u.uploading > 0) progress.show(waitLine(name, u), String(u.queued + u.uploading))
    }
    return await unmounting
  } finally {
    progress.end()
    stopInterrupt?.()
  }
}
