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

export const ROOT_INO = 1

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

  constructor() {
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

  counted(node: InodeNode, lookups = 1): void {
    node.nlookup += lookups
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
