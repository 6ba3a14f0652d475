// `mega-df` without -h: plain byte counts in right-aligned fixed-width
// columns (see docs/megacmd-bridge.md). Parsed by pattern, not by column position, so
// wider numbers or other padding do not shift anything. The -h form ('1.15
// GB') is refused rather than guessed at: rounded sizes would make statfs lie.

export interface MegaDf {
  /** USED STORAGE: everything the account counts against its quota. */
  usedBytes: number
  /** The account's quota. */
  totalBytes: number
  /** totalBytes - usedBytes, never below 0. */
  availableBytes: number
  /** The percentage as MEGAcmd printed it. */
  usedPercent: number
  cloudDriveBytes: number
  inboxBytes: number
  rubbishBinBytes: number
  /** Sum of the 'Incoming shares' lines; 0 when there is no such block. */
  incomingSharesBytes: number
  /** 'Total size taken up by file versions'; 0 when not printed. */
  versionsBytes: number
}

const SECTION = /^\s*(.+?):\s+(\d+)\s+in\s+\d+\s+file\(s\)\s+and\s+\d+\s+folder\(s\)\s*$/
const USED = /^\s*USED STORAGE:\s+(\d+)\s+([\d.]+)%\s+of\s+(\d+)\s*$/
const VERSIONS = /^\s*Total size taken up by file versions:\s+(\d+)\s*$/

/** Returns null when the output has no parsable 'USED STORAGE:' line. */
export function parseDf(stdout: string): MegaDf | null {
  let used: { usedBytes: number; usedPercent: number; totalBytes: number } | null = null
  const sections = new Map<string, number>()
  let incomingSharesBytes = 0
  let inIncomingShares = false
  let versionsBytes = 0
  for (const line of stdout.split(/\r?\n/)) {
    if (/^\s*-{5,}\s*$/.test(line)) {
      inIncomingShares = false
      continue
    }
    if (/^\s*Incoming shares:\s*$/.test(line)) {
      inIncomingShares = true
      continue
    }
    const usedMatch = USED.exec(line)
    if (usedMatch) {
      used = { usedBytes: Number(usedMatch[1]), usedPercent: Number(usedMatch[2]), totalBytes: Number(usedMatch[3]) }
      continue
    }
    const versionsMatch = VERSIONS.exec(line)
    if (versionsMatch) {
      versionsBytes = Number(versionsMatch[1])
      continue
    }
    const section = SECTION.exec(line)
    if (!section) continue
    const label = section[1]!.trim()
    const bytes = Number(section[2])
    // Inside the block each line names one share; on one line it is the total.
    if (inIncomingShares || label === 'Incoming shares') incomingSharesBytes += bytes
    else sections.set(label.toLowerCase(), bytes)
  }
  if (!used) return null
  return {
    ...used,
    availableBytes: Math.max(0, used.totalBytes - used.usedBytes),
    cloudDriveBytes: sections.get('cloud drive') ?? 0,
    inboxBytes: sections.get('inbox') ?? 0,
    rubbishBinBytes: sections.get('rubbish bin') ?? 0,
    incomingSharesBytes,
    versionsBytes,
  }
}
