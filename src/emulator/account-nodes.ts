import fs from 'node:fs'
import path from 'node:path'
import { localToMegaPath, normalizeMegaPath } from './mega-path.js'

// The MEGA nodes of the account: the files and folders of the local account
// folder, plus the duplicate entries a test asked for. MEGA allows two nodes
// with one name in one folder; a local folder cannot hold them, so the extra
// ones live in a table here and are only ever listed (a request for the name
// reaches the folder if one of the two is a folder, else the real file).

export interface NodeInfo {
  name: string
  isDir: boolean
  size: number
  mtimeMs: number
  creationMs: number
  /** A duplicate from the table, not a local file or folder. */
  phantom: boolean
  /** getcontentlength exactly as listed, when a test set one that is not a
   *  plain number (addListedOnly). */
  sizeText?: string
}

/** An entry that is only listed, never reachable: a name or size no local
 *  folder can hold ('..', a NUL, 300 bytes, a size of 1e23), as a broken or
 *  hostile server could list. */
export interface ListedOnly {
  name: string
  kind: 'file' | 'folder'
  sizeText: string
}

export interface Duplicate {
  kind: 'file' | 'folder'
  size: number
  createdMs: number
}

const STAT_BATCH = 256

export class AccountNodes {
  readonly accountRoot: string
  /** MEGA path -> the extra entry listed under that name. */
  private readonly duplicates = new Map<string, Duplicate>()
  /** MEGA folder path -> entries listed in it that exist nowhere. */
  private readonly listedOnly = new Map<string, ListedOnly[]>()

  constructor(accountRoot: string) {
    this.accountRoot = accountRoot
  }

  addDuplicate(megaPath: string, kind: 'file' | 'folder', size = 0): void {
    const normalized = normalizeMegaPath(megaPath)
    if (normalized === '/') throw new Error('addDuplicate: the account root cannot have a duplicate')
    if (kind !== 'file' && kind !== 'folder') throw new Error(`addDuplicate: kind must be 'file' or 'folder', got ${String(kind)}`)
    this.duplicates.set(normalized, { kind, size: kind === 'file' ? size : 0, createdMs: Date.now() })
  }

  addListedOnly(megaFolder: string, entry: ListedOnly): void {
    const folder = normalizeMegaPath(megaFolder)
    this.listedOnly.set(folder, [...(this.listedOnly.get(folder) ?? []), entry])
  }

  removeDuplicate(megaPath: string): boolean {
    return this.duplicates.delete(normalizeMegaPath(megaPath))
  }

  /** Keeps duplicates attached to their folder when it is renamed. */
  renamePrefix(oldMegaPath: string, newMegaPath: string): void {
    for (const [key, value] of [...this.duplicates]) {
      if (key === oldMegaPath || key.startsWith(oldMegaPath + '/')) {
        this.duplicates.delete(key)
        this.duplicates.set(newMegaPath + key.slice(oldMegaPath.length), value)
      }
    }
  }

  /** The node a request for `localPath` reaches, or null. */
  async stat(localPath: string): Promise<NodeInfo | null> {
    const name = path.basename(localPath)
    const real = await statOrNull(localPath)
    const duplicate = this.duplicates.get(localToMegaPath(this.accountRoot, localPath))
    if (duplicate?.kind === 'folder' && real && !real.isDirectory()) return phantomNode(name, duplicate)
    if (!real || (!real.isDirectory() && !real.isFile())) return null
    return realNode(name, real)
  }

  /** Children of a folder, duplicates included; null when it is not one. */
  async list(localPath: string): Promise<NodeInfo[] | null> {
    const self = await this.stat(localPath)
    if (!self || !self.isDir) return null
    if (self.phantom) return []
    let names: string[]
    try {
      names = await fs.promises.readdir(localPath)
    } catch {
      return null
    }
    const nodes: NodeInfo[] = []
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      const batch = names.slice(i, i + STAT_BATCH)
      const stats = await Promise.all(batch.map(n => statOrNull(path.join(localPath, n))))
      stats.forEach((s, j) => {
        if (s && (s.isDirectory() || s.isFile())) nodes.push(realNode(batch[j]!, s))
      })
    }
    const folderMegaPath = localToMegaPath(this.accountRoot, localPath)
    const prefix = folderMegaPath === '/' ? '/' : folderMegaPath + '/'
    for (const [megaPath, duplicate] of this.duplicates) {
      if (!megaPath.startsWith(prefix) || megaPath.slice(prefix.length).includes('/')) continue
      const name = megaPath.slice(prefix.length)
      if (nodes.some(n => n.name === name)) nodes.push(phantomNode(name, duplicate))
    }
    for (const entry of this.listedOnly.get(folderMegaPath) ?? []) {
      const sizeText = entry.kind === 'file' ? entry.sizeText : undefined
      nodes.push({ ...phantomNode(entry.name, { kind: entry.kind, size: 0, createdMs: 0 }), sizeText })
    }
    return nodes
  }
}

async function statOrNull(localPath: string): Promise<fs.Stats | null> {
  try {
    return await fs.promises.stat(localPath)
  } catch {
    return null
  }
}

function realNode(name: string, stats: fs.Stats): NodeInfo {
  return {
    name,
    isDir: stats.isDirectory(),
    size: stats.isDirectory() ? 0 : stats.size,
    mtimeMs: stats.mtimeMs,
    creationMs: stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.ctimeMs,
    phantom: false,
  }
}

function phantomNode(name: string, duplicate: Duplicate): NodeInfo {
  return {
    name,
    isDir: duplicate.kind === 'folder',
    size: duplicate.size,
    mtimeMs: duplicate.createdMs,
    creationMs: duplicate.createdMs,
    phantom: true,
  }
}
