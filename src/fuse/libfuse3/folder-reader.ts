// Folder reads in offset mode: readdir and readdirplus ask for "entries
// from offset N". The listing is snapshotted when a folder is opened (and
// again when it is read from offset 0 once more), and every entry carries
// the offset of the next one, so a listing that changes between two reads
// of one `ls` never repeats or skips a name. Offset mode is also what makes
// the kernel use readdirplus's attributes instead of a LOOKUP per file
// (FUSE3.md).
//
// The kernel may keep what it read of a folder (cache_readdir): at each
// opendir the snapshot's version is compared with the one the kernel last
// read, and only an unchanged folder keeps the kernel's copy, so a warm
// crawl reads folders from the kernel while a listing fetched anew that
// differs is read again.

import { createHash } from 'node:crypto'
import { FsError } from '../../errors.js'
import type { Attr, FileSystem } from '../../vfs/types.js'
import { OPEN_CACHE_READDIR, OPEN_KEEP_CACHE, type NativeSession } from './addon.js'
import { ATTR_STRIDE, attrSignature, writeAttr } from './attr-record.js'
import type { InodeNode, InodeTable } from './inode-table.js'

interface Snapshot {
  /** ".", "..", then the folder's entries. */
  names: string[]
  attrs: Attr[]
  /** Changes when a name comes, goes or changes kind. */
  version: string
}

interface OpenFolder {
  path: string
  snapshot: Promise<Snapshot> | null
  /** The snapshot was taken for opendir and no read has used it yet. */
  fresh: boolean
}

/** d_ino for a plain readdir entry the kernel holds no inode for. */
const UNKNOWN_INO = 0xffffffff
/** Smallest entry in a readdir and a readdirplus buffer (header and a
 *  padded short name): the window handed to the addon is never too small. */
const MIN_DIRENT_BYTES = 32
const MIN_DIRENTPLUS_BYTES = 160

export class FolderReader {
  readonly #fs: FileSystem
  readonly #table: InodeTable
  readonly #ttlS: number
  readonly #open = new Map<number, OpenFolder>()
  #session: NativeSession | null = null
  #nextFh = 1

  constructor(fs: FileSystem, table: InodeTable, kernelTtlS: number) {
    this.#fs = fs
    this.#table = table
    this.#ttlS = kernelTtlS
  }

  attach(session: NativeSession): void {
    this.#session = session
  }

  get openCount(): number {
    return this.#open.size
  }

  async open(slot: number, ino: number, path: string): Promise<void> {
    const snapshot = this.#take(path)
    const folder: OpenFolder = { path, snapshot, fresh: true }
    const { version } = await snapshot
    const node = this.#table.get(ino)
    let bits = OPEN_CACHE_READDIR
    if (node) {
      if (node.dirVersion === version) bits |= OPEN_KEEP_CACHE
      node.dirVersion = version
    }
    const fh = this.#nextFh++
    this.#open.set(fh, folder)
    if (!this.#session!.replyOpen(slot, fh, bits)) this.#open.delete(fh)
  }

  release(fh: number): void {
    this.#open.delete(fh)
  }

  async read(slot: number, ino: number, fh: number, offset: number, size: number, plus: boolean): Promise<void> {
    const folder = this.#open.get(fh)
    if (!folder) throw new FsError('EBADF', `no open folder with handle ${fh}`)
    // Reading from the start again (rewinddir, or a second pass) sees the
    // folder as it is now.
    if (offset === 0 && !folder.fresh) folder.snapshot = this.#take(folder.path)
    folder.fresh = false
    const snapshot = await folder.snapshot!
    const session = this.#session!
    const dir = this.#table.get(ino)
    const count = Math.max(0, Math.min(snapshot.names.length - offset, Math.ceil(size / (plus ? MIN_DIRENTPLUS_BYTES : MIN_DIRENT_BYTES))))
    const names = snapshot.names.slice(offset, offset + count)
    const records = new Float64Array(count * ATTR_STRIDE)
    const nodes: (InodeNode | null)[] = new Array(count)
    for (let i = 0; i < count; i++) {
      const name = names[i]
      const attr = snapshot.attrs[offset + i]
      let node: InodeNode | null = null
      if (name === '.') node = dir ?? null
      else if (name === '..') node = dir?.parent ?? dir ?? null
      else if (dir) node = plus ? this.#table.ensure(dir, name) : (this.#table.child(dir, name) ?? null)
      writeAttr(records, i, node?.ino ?? UNKNOWN_INO, attr)
      nodes[i] = node
    }
    const packed = session.replyDir(slot, size, plus, names, records, offset, this.#ttlS, this.#ttlS)
    if (!plus || !dir) return
    for (let i = 0; i < count; i++) {
      const node = nodes[i]
      if (!node || names[i] === '.' || names[i] === '..') continue
      if (i < packed) {
        this.#table.counted(node, snapshot.attrs[offset + i]!.mode)
        node.attrSig = attrSignature(snapshot.attrs[offset + i])
      } else {
        this.#table.dropIfUnused(node)
      }
    }
  }

  async #take(path: string): Promise<Snapshot> {
    const parentPath = path === '/' ? '/' : path.slice(0, path.lastIndexOf('/')) || '/'
    const listing = await this.#fs.readdir(path)
    // After the listing: a folder's time is its newest child's, known now.
    const [self, parent] = await Promise.all([this.#fs.getattr(path), path === '/' ? null : this.#fs.getattr(parentPath).catch(() => null)])
    const names = ['.', '..', ...listing.names]
    const attrs = [self, parent ?? self, ...listing.attrs]
    return { names, attrs, version: versionOf(names, attrs) }
  }
}

/** What the kernel caches of a folder's entries: names and kinds (sizes
 *  and times live in its attribute cache, kept honest apart). */
function versionOf(names: string[], attrs: Attr[]): string {
  const hash = createHash('sha1')
  hash.update(names.join('\0'))
  hash.update(Buffer.from(attrs.map(a => (a.mode & 0o170000) >> 12)))
  return hash.digest('base64')
}
