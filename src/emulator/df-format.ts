import type { FolderUsage } from './account-usage.js'

// The fixed-width layout of MEGAcmd's `df` (see docs/megacmd-bridge.md): labels padded to
// 22 columns, sizes right-aligned in 12, counts in 7.

export interface DfInput {
  cloudDrive: FolderUsage
  inbox: FolderUsage
  rubbishBin: FolderUsage
  totalBytes: number
  versionsBytes: number
}

const RULE = '-'.repeat(75)

/** `1.15 GB`: two decimals in the largest binary unit the size reaches. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(2)} ${units[unit]}`
}

export function formatDf(input: DfInput, human: boolean): string {
  const size = (bytes: number): string => (human ? humanSize(bytes) : String(bytes)).padStart(12)
  const row = (label: string, usage: FolderUsage): string =>
    `${label.padEnd(22)}${size(usage.bytes)} in ${String(usage.files).padStart(7)} file(s) and ${String(usage.folders).padStart(7)} folder(s)`
  const used = input.cloudDrive.bytes + input.inbox.bytes + input.rubbishBin.bytes
  const percent = input.totalBytes > 0 ? ((used * 100) / input.totalBytes).toFixed(2) : '0.00'
  const total = human ? humanSize(input.totalBytes) : String(input.totalBytes)
  return [
    row('Cloud drive:', input.cloudDrive),
    row('Inbox:', input.inbox),
    row('Rubbish bin:', input.rubbishBin),
    RULE,
    `${'USED STORAGE:'.padEnd(22)}${size(used)}${percent.padStart(22)}% of ${total}`,
    RULE,
    `Total size taken up by file versions: ${size(input.versionsBytes)}`,
    '',
  ].join('\n')
}
