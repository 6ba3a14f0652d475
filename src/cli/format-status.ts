// The status table a person reads at a glance, and the JSON scripts read.
import type { MountStatus, StatusReport } from '../control/wire-types.js'
import { formatBytes } from './format-bytes.js'
import { unfinishedLines, uploadsSummary } from './format-uploads.js'

function tilde(p: string | null, home: string | undefined): string {
  if (!p) return '-'
  if (home && (p === home || p.startsWith(home + '/'))) return '~' + p.slice(home.length)
  return p
}

function bridgeCell(m: MountStatus): string {
  if (m.bridge.reachable === null) return m.state === 'unmounted' || m.state === 'failed' ? '-' : 'checking'
  return m.bridge.reachable ? `reachable ${m.bridge.latencyMs ?? '?'} ms` : 'unreachable'
}

function cacheCell(m: MountStatus): string {
  if (m.state !== 'mounted' && m.state !== 'degraded' && m.cache.entries === 0) return '-'
  const disk = m.cache.diskBytes ? `, ${formatBytes(m.cache.diskBytes)} on disk` : ''
  return `${m.cache.entries} entries, ${Math.round(m.cache.hitRate * 100)}% hits${disk}`
}

function stateCell(m: MountStatus): string {
  // An unmount with a reason (from outside megamount) says so on its error line.
  return m.wanted || m.state !== 'unmounted' || m.lastError ? m.state : 'unmounted (not autostart)'
}

/** "3 h", "2 days": how long ago a time was, roughly, for a person. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 90) return `${s} s`
  if (s < 90 * 60) return `${Math.round(s / 60)} min`
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

function localTime(iso: string): string {
  const d = new Date(iso)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** "failed:  3 operations since mounted (EIO 2, ETIMEDOUT 1); last 12 s ago,
 *  read /b.txt: ...": what programs on the mount were answered with errors
 *  the user did not choose (src/fuse/failed-ops.ts). */
export function failedLine(m: MountStatus, nowMs: number): string | null {
  const e = m.errors
  if (!e || e.count === 0) return null
  const codes = Object.entries(e.byCode).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ')
  const where = e.last?.path ? `${e.last.op} ${e.last.path}` : e.last?.op
  const last = e.last ? `; last ${formatAge(nowMs - Date.parse(e.last.at))} ago, ${where}: ${e.last.message}` : ''
  return `    failed:  ${e.count} ${e.count === 1 ? 'operation' : 'operations'} since mounted (${codes})${last} (the daemon's log has each)`
}

/** The lines under a mount about its store and offline folders. */
function storeLines(m: MountStatus, nowMs: number): string[] {
  const out: string[] = []
  if (m.state === 'degraded' && m.store?.treeAt) {
    out.push(`    tree:    as of ${localTime(m.store.treeAt)} (${formatAge(nowMs - Date.parse(m.store.treeAt))} ago): the bridge is not answering, what was listed then is shown`)
  }
  if (m.store?.warning) out.push(`    store:   ${m.store.warning}`)
  if (m.offline) out.push(`    offline: ${offlineSummary(m.offline)}`)
  return out
}

/** "/Documents: 150 of 200 files (3.1 MB of 4.0 MB) on disk, downloading" */
export function offlineSummary(o: NonNullable<MountStatus['offline']>): string {
  // A later check (every listing TTL) shows the last check's totals.
  const whole = o.pinnedFiles === o.files && (o.state === 'up to date' || (o.state === 'checking' && o.files > 0))
  const how = whole
    ? `all ${o.files} files (${formatBytes(o.bytes)}) on disk, ${o.state === 'checking' ? 'checking for changes' : 'up to date'}`
    : `${o.pinnedFiles} of ${o.files} files (${formatBytes(o.pinnedBytes)} of ${formatBytes(o.bytes)}) on disk, ${o.state}`
  return `${o.folders.join(', ')}: ${how}${o.error ? `: ${o.error}` : ''}`
}

export function formatStatusTable(mounts: MountStatus[], home?: string, nowMs = Date.now()): string {
  const header = ['NAME', 'MOUNTPOINT', 'STATE', 'BRIDGE', 'CACHE', 'DUPLICATES']
  const rows = mounts.map(m => [m.name, tilde(m.mountpoint, home), stateCell(m), bridgeCell(m), cacheCell(m), m.duplicateNames > 0 ? `${m.duplicateNames} hidden` : '-'])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()
  const out = [line(header)]
  mounts.forEach((m, i) => {
    out.push(line(rows[i]!))
    const uploads = uploadsSummary(m.uploads)
    if (uploads) out.push(`    uploads: ${uploads}`)
    const failed = failedLine(m, nowMs)
    if (failed) out.push(failed)
    if (m.unusableNames) out.push(`    names: ${m.unusableNames} ${m.unusableNames === 1 ? 'entry' : 'entries'} left out: the server lists names or sizes that cannot be files here (the daemon's log names them)`)
    out.push(...unfinishedLines(m.uploads))
    // The fallback works but is slower: say so, with the way out.
    out.push(...storeLines(m, nowMs))
    if (m.fuse && m.fuse.backend !== 'libfuse3') out.push(`    fuse:  ${m.fuse.backend} (${m.fuse.why})${m.fuse.fix ? `; for faster mounts: ${m.fuse.fix}` : ''}`)
    if (m.lastError) {
      out.push(`    error: ${m.lastError.message}`)
      out.push(`    fix:   ${m.lastError.hint}`)
    }
    if (m.profileError) {
      out.push(`    invalid in the file, running as it was: ${m.profileError.message}`)
      out.push(`    fix:   ${m.profileError.hint}`)
    }
    for (const w of m.warnings ?? []) out.push(`    warning: ${w}`)
  })
  return out.join('\n') + '\n'
}

/** A profile file the last reload could not apply at all, above the table. */
export function formatProfileFileError(error: { message: string; hint: string } | null | undefined): string {
  if (!error) return ''
  return `profile file not applied, every mount runs as before the edit: ${error.message}\n  fix: ${error.hint}\n\n`
}

/** The JSON of `mountctl status --json`: the daemon's fields, in a stable order. */
export function statusJson(mounts: MountStatus[], profileFileError: { message: string; hint: string } | null = null, idleMemoryReducer: StatusReport['daemon']['idleMemoryReducer'] = null): string {
  return (
    JSON.stringify(
      {
        profileFileError,
        idleMemoryReducer: idleMemoryReducer ?? null,
        mounts: mounts.map(m => ({
          name: m.name,
          mountpoint: m.mountpoint,
          url: m.url,
          megaPath: m.megaPath,
          state: m.state,
          wanted: m.wanted,
          readOnly: m.readOnly,
          since: m.since,
          bridge: m.bridge,
          cache: m.cache,
          duplicateNames: m.duplicateNames,
          unusableNames: m.unusableNames ?? 0,
          lastError: m.lastError,
          uploads: m.uploads,
          warnings: m.warnings ?? [],
          profileError: m.profileError ?? null,
          ...Object.fromEntries(Object.entries(m).filter(([k]) => !KNOWN.has(k))),
        })),
      },
      null,
      2,
    ) + '\n'
  )
}

const KNOWN = new Set(['name', 'mountpoint', 'url', 'megaPath', 'state', 'wanted', 'readOnly', 'since', 'bridge', 'cache', 'duplicateNames', 'unusableNames', 'lastError', 'uploads', 'warnings', 'profileError'])
