// mountctl cache NAME / mountctl cache clear NAME: what a mount keeps on
// disk across restarts (src/vfs/store/), and emptying it.
import type { CacheReport } from '../../control/wire-types.js'
import { EXIT_OK, EXIT_USAGE, type CliCommand } from '../command.js'
import { formatBytes } from '../format-bytes.js'
import { formatAge, offlineSummary } from '../format-status.js'

function tilde(p: string, home: string | undefined): string {
  return home && (p === home || p.startsWith(home + '/')) ? '~' + p.slice(home.length) : p
}

export function formatCacheReport(r: CacheReport, home: string | undefined, nowMs: number): string {
  const s = r.store
  if (!s) return `${r.name}: no store (this daemon keeps none for it)\n`
  const where = s.file ? `${tilde(s.file, home)} (${formatBytes(s.databaseBytes)})` : 'in memory only: nothing is kept across restarts'
  const tree =
    s.newestFetchMs === null
      ? 'nothing stored yet'
      : `${s.listings.toLocaleString('en-US')} folders, ${s.entries.toLocaleString('en-US')} entries, as of ${new Date(s.newestFetchMs).toISOString().slice(0, 16).replace('T', ' ')} UTC (${formatAge(nowMs - s.newestFetchMs)} ago)`
  const pinned = s.pinnedFiles > 0 ? `, ${s.pinnedFiles.toLocaleString('en-US')} of them pinned for offline use (${formatBytes(s.pinnedBytes)})` : ''
  const lines = [
    `${r.name}: ${r.cleared ? 'emptied; what is shown next is listed and fetched again' : r.state}`,
    `  store:    ${where}`,
    `  tree:     ${tree}`,
    `  content:  ${s.files.toLocaleString('en-US')} files, ${formatBytes(s.bytes)} on disk in ${tilde(s.cacheFolder, home)} (limit ${formatBytes(r.diskCacheMaxBytes)})${pinned}`,
  ]
  if (r.offline) lines.push(`  offline:  ${offlineSummary(r.offline)}`)
  if (s.warning) lines.push(`  warning:  ${s.warning}`)
  return lines.join('\n') + '\n'
}

export const cacheCommand: CliCommand = {
  name: 'cache',
  summary: 'show what a mount keeps on disk across restarts; cache clear NAME empties it',
  usage: `Usage: mountctl cache NAME [--json]
       mountctl cache clear NAME

Shows the store of the mount NAME: the folder listings it keeps (shown at
once after a restart, also while MEGAcmd is down or still loading), the file
content on disk (files read before and offline folders), how big each is and
where. \`clear\` empties both, also while mounted: nothing is lost (the files
are on MEGA, uploads wait in their own folder); folders are listed and files
downloaded again as they are used, offline folders in the background.

  --json   machine-readable output

Exit status: 0, 1 when the daemon refused, 3 when megamountd is not running.`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 2 },
  async run(ctx) {
    const [first, second] = ctx.positionals
    const clear = first === 'clear' && second !== undefined
    if (ctx.positionals.length === 2 && !clear) {
      ctx.io.stderr(`mountctl cache: unknown action "${first}"\n${cacheCommand.usage}\n`)
      return EXIT_USAGE
    }
    const name = clear ? second! : first!
    const report = await ctx.request(clear ? 'cacheClear' : 'cache', { name })
    ctx.io.stdout(ctx.values.json ? JSON.stringify(report, null, 2) + '\n' : formatCacheReport(report, ctx.io.env.HOME, Date.now()))
    return EXIT_OK
  },
}
