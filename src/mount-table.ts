// The system's table of mounts, to tell whether a folder is a mount point
// already and of what kind. Linux: /proc/mounts, where blanks and a few
// other characters in paths are written as octal escapes (\040 for space).
// macOS: the output of mount(8), "src on /path (type, options)".

import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { platform } from 'node:os'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export interface MountRecord {
  source: string
  mountpoint: string
  /** e.g. 'fuse.megamount', 'fuse.rclone', 'ext4'; on macOS 'macfuse', 'apfs'. */
  type: string
}

export function decodeProcMountsField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)))
}

export function parseProcMounts(text: string): MountRecord[] {
  const records: MountRecord[] = []
  for (const line of text.split('\n')) {
    const [source, mountpoint, type] = line.split(' ')
    if (!source || !mountpoint || !type) continue
    records.push({ source: decodeProcMountsField(source), mountpoint: decodeProcMountsField(mountpoint), type })
  }
  return records
}

export function parseMacMountOutput(text: string): MountRecord[] {
  const records: MountRecord[] = []
  for (const line of text.split('\n')) {
    const match = /^(.*) on (.*) \(([^,)]+)/.exec(line)
    if (match) records.push({ source: match[1]!, mountpoint: match[2]!, type: match[3]! })
  }
  return records
}

export async function readMountTable(): Promise<MountRecord[]> {
  if (platform() === 'darwin') {
    const { stdout } = await execFileAsync('mount', [])
    return parseMacMountOutput(stdout)
  }
  return parseProcMounts(await readFile('/proc/mounts', 'utf8'))
}

export async function findMount(mountpoint: string): Promise<MountRecord | undefined> {
  const table = await readMountTable()
  // The last record wins: mounts stack, the newest is the one in effect.
  return table.filter(r => r.mountpoint === mountpoint).at(-1)
}
