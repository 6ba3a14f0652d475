import fs from 'node:fs'
import path from 'node:path'

export interface FolderUsage {
  bytes: number
  files: number
  folders: number
}

/** Sizes under `root` as mega-df counts them: every file and folder below the
 *  root (the root itself is not counted). */
export function measureFolder(root: string): FolderUsage {
  const usage: FolderUsage = { bytes: 0, files: 0, folders: 0 }
  const pending = [root]
  while (pending.length > 0) {
    const folder = pending.pop()!
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true })
    } catch {
      continue
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) {
        usage.folders++
        pending.push(full)
      } else if (entry.isFile()) {
        usage.files++
        try {
          usage.bytes += fs.statSync(full).size
        } catch {
          // vanished while counting
        }
      }
    }
  }
  return usage
}
