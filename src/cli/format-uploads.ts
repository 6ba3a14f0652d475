// How uploads read on a terminal: the summary line of `status`, the
// `mountctl uploads` table, and the line `unmount` rewrites while it waits.
import type { UploadCounts, UploadItem } from '../control/wire-types.js'
import { formatBytes, percent } from './format-bytes.js'

/** "3 queued (12.4 MB), 1 uploading 45%, 1 failed (4.7 GB)", or null when
 *  there is nothing to say. */
export function uploadsSummary(u: UploadCounts | undefined): string | null {
  if (!u || u.queued + u.uploading + u.failed === 0) return null
  const parts: string[] = []
  if (u.queued > 0) parts.push(`${u.queued} queued (${formatBytes(u.queuedBytes)})`)
  if (u.uploading > 0) parts.push(`${u.uploading} uploading ${percent(u.sentBytes, u.uploadingBytes)}%`)
  if (u.failed > 0) parts.push(`${u.failed} failed (${formatBytes(u.failedBytes)})`)
  let text = parts.join(', ')
  if (u.inJournal) text += ': kept in the journal, they upload at the next mount'
  else if (u.paused) text += ': held while the bridge is unreachable'
  if (u.unmountWaiting) text += '; unmount waits for them'
  return text
}

/** The progress of `mountctl unmount` waiting for uploads. */
export function waitLine(name: string, u: UploadCounts): string {
  const files = u.queued + u.uploading
  const bytesLeft = Math.max(0, u.queuedBytes + u.uploadingBytes - u.sentBytes)
  let text = `${name}: uploading before unmount: ${files} file${files === 1 ? '' : 's'} left, ${formatBytes(bytesLeft)} left`
  if (u.uploading > 0) text += ` (${u.uploading} uploading ${percent(u.sentBytes, u.uploadingBytes)}%)`
  if (u.paused) text += '; the bridge is unreachable: waiting for it'
  return text
}

/** The lines of `status` about files recovered unfinished, or none. */
export function unfinishedLines(u: UploadCounts | undefined): string[] {
  return (u?.unfinished ?? []).map(f => {
    const where = f.uploaded ? 'uploaded as' : 'uploads as'
    return f.originalPath
      ? `    unfinished: ${f.originalPath} was still being written when the daemon stopped: ${where} ${f.path}, the original is left as it was`
      : `    unfinished: ${f.path} (new) was still being written when the daemon stopped: ${where} it is, check it is complete`
  })
}

function stateCell(i: UploadItem): string {
  return i.unfinished ? `${baseStateCell(i)} unfinished` : baseStateCell(i)
}

function baseStateCell(i: UploadItem): string {
  if (i.state !== 'queued') return i.state
  if (i.detail === 'open') return 'queued (file open)'
  if (i.detail === 'waiting' && hasFailed(i)) return 'queued (retry)'
  return 'queued'
}

/** It failed before (a daemon older than errorKind sends the text alone). */
function hasFailed(i: UploadItem): boolean {
  return (i.errorKind ?? null) !== null || i.lastError !== null
}

function nextCell(i: UploadItem, nowMs: number): string {
  if (!i.nextAttemptAt) return '-'
  const s = Math.max(0, Math.round((Date.parse(i.nextAttemptAt) - nowMs) / 1000))
  return s < 120 ? `in ${s} s` : `in ${Math.round(s / 60)} min`
}

export function formatUploadsTable(items: UploadItem[], nowMs: number): string {
  const header = ['MOUNT', 'PATH', 'STATE', 'SIZE', 'PROGRESS', 'ATTEMPTS', 'NEXT TRY']
  const rows = items.map(i => [
    i.mount,
    i.path,
    stateCell(i),
    formatBytes(i.bytes),
    i.state === 'uploading' ? `${percent(i.sentBytes, i.bytes)}%` : '-',
    String(i.attempts),
    nextCell(i, nowMs),
  ])
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map(r => r[k]!.length)))
  const line = (cells: string[]) => cells.map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k]!))).join('  ').trimEnd()
  const out = [line(header)]
  items.forEach((item, k) => {
    out.push(line(rows[k]!))
    if (item.unfinished) {
      out.push(
        item.unfinished.originalPath
          ? `    unfinished: still being written when the daemon stopped; ${item.unfinished.originalPath} is left as it was`
          : '    unfinished: a new file still being written when the daemon stopped; uploaded as it is',
      )
    }
    if (hasFailed(item)) out.push(`    ${item.state === 'failed' ? 'error' : 'last error'}: ${item.lastError ?? item.errorKind}`)
  })
  return out.join('\n') + '\n'
}
