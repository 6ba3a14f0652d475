// The kernel names files by inode number; the core by path. This table is
// the mapping, kept the way the kernel sees it:
// - a node exists while the kernel holds a reference (its lookup count, from
//   lookup, create, mkdir and readdirplus answers) and goes when the kernel
//   forgets it;
// - a node's path is walked up from its parent links, so renaming a folder
//   moves everything below it at once;
// - a name removed or renamed over leaves its old node detached (no parent):
//   the kernel may still use it through an open file, never by path.
// Inode numbers are never reused within a mount, so generation stays 0.
//
// The kernel keeps every entry it was given until memory is short, so a
// crawl of 100,000 files kept 100,000 nodes here (~19 MiB of the daemon's
// heap, and about as much kernel memory). The table is bounded instead:
// past fileEntryLimit file entries, the oldest ones the kernel was given
// are handed to `shed` (the adapter asks the kernel to drop the name; it
// then forgets the inode, and forget() removes the node). Only plain files
// never opened through the mount go: a folder's dentry may be a process's
// working directory, and an opened file may be open still or have pages
// cached (keep_cache) that the kernel would drop with its inode.

import { FsError } from '../../errors.js'

export const ROOT_INO = 1

/** File entries kept before the oldest are shed: as many as the metadata
 *  cache holds by default (profile `cacheMaxEntries`), so the 10,000-file
 *  folders people browse stay whole in the kernel's cache. */
export const DEFAULT_FILE_ENTRY_LIMIT = 20_000

const S_IFMT = 0o170000
const S_IFREG = 0o100000

export interface InodeNode {
  readonly ino: number
  parent: InodeNode | null
  name: string
  /** Lookups the kernel holds; 0 once it forgot them all. */
  nlookup: number
  /** Children the kernel holds, by name. */
  children: Map<string, InodeNode> | null
  /** Attributes last sent to the kernel (attrSignature); 0: none held. */
  attrSig: number
  /** Content version whose pages the kernel may hold (keep_cache). */
  pageVersion: string
  /** Folders: the listing version whose entries the kernel may hold
   *  (cache_readdir with keep_cache). */
  dirVersion: string
}

export class InodeTable {
  readonly root: InodeNode
  readonly #byIno = new Map<number, InodeNode>()
  #nextIno = ROOT_INO + 1
  readonly #fileEntryLimit: number
  /** File entries in the order the kernel first counted them (inode
   *  numbers; those forgotten meanwhile are skipped when reached). */
  #files: number[] = []
  #filesHead = 0
  /** Asks the kernel to drop parent/name (set once a session is attached). */
  shed: ((parentIno: number, name: string) => void) | null = null
  /** File entries shed so far (status: how often the bound was reached). */
  shedCount = 0

  constructor(fileEntryLimit = DEFAULT_FILE_ENTRY_LIMIT) {
    this.#fileEntryLimit = fileEntryLimit
    this.root = { ino: ROOT_INO, parent: null, name: '', nlookup: 1, children: null, attrSig: 0, pageVersion: '', dirVersion: '' }
    this.#byIno.set(ROOT_INO, this.root)
  }

  get size(): number {
    return this.#byIno.size
  }

  get(ino: number): InodeNode | undefined {
    return this.#byIno.get(ino)
  }

  child(parent: InodeNode, name: string): InodeNode | undefined {
    return parent.children?.get(name)
  }

  /** The node for parent/name, made (with no lookups yet) when missing.
   *  Count a lookup with `counted` once the kernel really got the entry. */
  ensure(parent: InodeNode, name: string): InodeNode {
    const existing = parent.children?.get(name)
    if (existing) return existing
    const node: InodeNode = { ino: this.#nextIno++, parent, name, nlookup: 0, children: null, attrSig: 0, pageVersion: '', dirVersion: '' }
    parent.children ??= new Map()
    parent.children.set(name, node)
    this.#byIno.set(node.ino, node)
    return node
  }

  /** The kernel got node's entry; mode: its file type and permissions. */
  counted(node: InodeNode, mode = 0): void {
    if (node.nlookup++ !== 0 || (mode & S_IFMT) !== S_IFREG) return
    this.#files.push(node.ino)
    if (this.#files.length - this.#filesHead > this.#fileEntryLimit) this.#shedOldest()
  }

  // Down to 90% of the limit at once, so a crawl sheds in batches of a
  // tenth rather than one entry per entry it adds.
  #shedOldest(): void {
    const keep = Math.floor(this.#fileEntryLimit * 0.9)
    while (this.#files.length - this.#filesHead > keep) {
      const node = this.#byIno.get(this.#files[this.#filesHead++]!)
      const parent = node?.parent
      if (!node || !parent || !this.shed || node.nlookup === 0 || node.pageVersion || parent.children?.get(node.name) !== node) continue
      this.shedCount++
      this.shed(parent.ino, node.name)
    }
    if (this.#filesHead > this.#files.length / 2) {
      this.#files = this.#files.slice(this.#filesHead)
      this.#filesHead = 0
    }
  }

  /** A node made by ensure that the kernel never got: drop it again. */
  dropIfUnused(node: InodeNode): void {
    if (node.nlookup === 0 && node !== this.root && !node.children?.size) this.#remove(node)
  }

  forget(ino: number, lookups: number): void {
    const node = this.#byIno.get(ino)
    if (!node || node === this.root) return
    node.nlookup = Math.max(0, node.nlookup - lookups)
    // The kernel forgets children before their parent, but a child we made
    // and never counted may still hang below: the node stays until its last
    // child goes.
    if (node.nlookup === 0 && !node.children?.size) this.#remove(node)
  }

  /** The path the core knows this node by; null when detached. */
  pathOf(node: InodeNode): string | null {
    if (node === this.root) return '/'
    const parts: string[] = []
    for (let n: InodeNode | null = node; n !== this.root; n = n.parent) {
      if (!n) return null
      parts.push(n.name)
    }
    return '/' + parts.reverse().join('/')
  }

  /** A name in a folder the kernel knows, and the path it makes. */
  childPath(parentIno: number, name: string | undefined, what: string): { parent: InodeNode; path: string } {
    const parent = this.get(parentIno)
    if (!parent) throw new FsError('ENOENT', `${what}: unknown inode ${parentIno}`)
    const parentPath = this.pathOf(parent)
    if (parentPath === null) throw new FsError('ENOENT', `${what}: the folder was removed`)
    if (!name) throw new FsError('EINVAL', `${what}: no name`)
    return { parent, path: parentPath === '/' ? `/${name}` : `${parentPath}/${name}` }
  }

  /** The path a request was about, for the log and status: its inode's,
   *  with the name it carries (lookup, create, ...), or the inode number. */
  describe(ino: number, name: string | undefined): string {
    const node = this.get(ino)
    const at = node ? this.pathOf(node) : null
    if (at === null) return name ?? `inode ${ino}`
    if (!name) return at
    return at === '/' ? `/${name}` : `${at}/${name}`
  }

  /** parent/name no longer exists (unlink, rmdir, gone from the server). */
  detach(parent: InodeNode, name: string): InodeNode | undefined {
    const node = parent.children?.get(name)
    if (!node) return undefined
    parent.children!.delete(name)
    node.parent = null
    if (node.nlookup === 0 && !node.children?.size) this.#remove(node)
    this.#pruneParent(parent)
    return node
  }

  /** A rename through the mount: the node moves, and whatever stood at the
   *  new name is detached (the kernel drops its own dentry for it).
   *  node: the one at parent/name when the rename began. The core may have
   *  detached it meanwhile (a listing taken after the server's MOVE no
   *  longer holds the old name: invalidator.ts); the kernel moves its
   *  dentry all the same, so the node goes to the new name anyway. */
  rename(parent: InodeNode, name: string, newParent: InodeNode, newName: string, node = parent.children?.get(name)): void {
    if (newParent.children?.get(newName) !== node) this.detach(newParent, newName)
    if (!node || this.#byIno.get(node.ino) !== node) return
    const oldParent = node.parent
    if (oldParent?.children?.get(node.name) === node) oldParent.children.delete(node.name)
    node.parent = newParent
    node.name = newName
    newParent.children ??= new Map()
    newParent.children.set(newName, node)
    if (oldParent && oldParent !== newParent) this.#pruneParent(oldParent)
  }

  /** Every node at and below node (for a refresh of a folder). */
  *subtree(node: InodeNode): Generator<InodeNode> {
    yield node
    if (node.children) for (const child of node.children.values()) yield* this.subtree(child)
  }

  #remove(node: InodeNode): void {
    this.#byIno.delete(node.ino)
    const parent = node.parent
    if (parent && parent.children?.get(node.name) === node) {
      parent.children.delete(node.name)
      this.#pruneParent(parent)
    }
    node.parent = null
  }

  // A parent kept only for the children it had goes with the last of them.
  #pruneParent(parent: InodeNode): void {
    if (parent.children?.size === 0) parent.children = null
    if (parent !== this.root && parent.nlookup === 0 && !parent.children) this.#remove(parent)
  }
}
