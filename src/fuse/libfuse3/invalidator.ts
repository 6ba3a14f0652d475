// Keeps the kernel's caches honest, so they can be trusted for long
// (attribute and entry TTLs of a whole listing TTL). The core reports what
// it learns (FsChange); this turns it into libfuse notifications for the
// inodes the kernel holds:
// - a folder listed anew: each child the kernel knows is compared with what
//   it was last told; a changed one loses its attributes and pages, a
//   vanished one its name;
// - an entry changed (an upload finished): its attributes and its folder's,
//   when the core now answers them differently from what the kernel holds;
// - a refresh (`mountctl refresh`): everything known at and below the path,
//   names included, so the next access asks the core again.
// The addon sends notifications from a thread of its own: the kernel may
// hold a folder lock while it waits for a request only JavaScript answers.

import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import { baseName, parentOf } from '../../vfs/paths.js'
import type { FileSystem, FsChange } from '../../vfs/types.js'
import type { NativeSession } from './addon.js'
import { attrSignature } from './attr-record.js'
import type { InodeNode, InodeTable } from './inode-table.js'
import type { NegativeEntries } from './negative-entries.js'

/** notifyInvalInode offset: negative drops attributes only, keeping pages. */
const ATTRS_ONLY = -1

export class KernelInvalidator {
  readonly #fs: FileSystem
  readonly #table: InodeTable
  readonly #session: NativeSession
  readonly #logger: Logger
  readonly #negatives: NegativeEntries | null

  constructor(fs: FileSystem, table: InodeTable, session: NativeSession, logger: Logger, negatives: NegativeEntries | null = null) {
    this.#fs = fs
    this.#table = table
    this.#session = session
    this.#logger = logger
    this.#negatives = negatives
  }

  changed(change: FsChange): void {
    if (change.kind === 'refreshed') return this.#refreshed(change.path ?? '/')
    const node = this.nodeAt(change.path)
    if (change.kind === 'listed') {
      // Names the kernel was told are missing may be in this listing.
      if (node) this.#forgetMissing(node)
      if (node?.children) this.#compareChildren(node, change.path).catch(err => this.#logger.warn({ err, path: change.path }, 'could not compare a folder with the kernel'))
      return
    }
    this.#forgetMissingName(change.path)
    // Only what the kernel holds and the core now answers differently: an
    // upload that leaves size and time as the kernel saw them (the usual
    // case) costs no notification.
    for (const n of [node, node?.parent]) {
      if (!n?.attrSig) continue
      const path = this.#table.pathOf(n)
      if (path === null) continue
      this.#fs.getattr(path).then(
        attr => {
          if (n.attrSig && attrSignature(attr) !== n.attrSig) {
            this.#session.notifyInvalInode(n.ino, ATTRS_ONLY, 0)
            n.attrSig = 0
          }
        },
        () => {
          // Gone or unreachable: the kernel finds out at its next request.
          this.#session.notifyInvalInode(n.ino, ATTRS_ONLY, 0)
          n.attrSig = 0
        },
      )
    }
  }

  /** The node the kernel holds for a core path, if any. */
  nodeAt(path: string): InodeNode | undefined {
    let node: InodeNode | undefined = this.#table.root
    for (const name of path.split('/')) {
      if (!name) continue
      node = this.#table.child(node, name)
      if (!node) return undefined
    }
    return node
  }

  async #compareChildren(folder: InodeNode, path: string): Promise<void> {
    const prefix = path === '/' ? '/' : `${path}/`
    await Promise.all(
      [...folder.children!.values()].map(async child => {
        let sig: number
        try {
          sig = attrSignature(await this.#fs.getattr(prefix + child.name))
        } catch (err) {
          if (!(err instanceof FsError) || (err.code !== 'ENOENT' && err.code !== 'ENOTDIR')) return
          // Gone from the server: the kernel must forget the name.
          if (child.parent !== folder) return
          this.#session.notifyInvalEntry(folder.ino, child.name)
          this.#table.detach(folder, child.name)
          return
        }
        if (child.attrSig && sig !== child.attrSig) {
          this.#session.notifyInvalInode(child.ino, 0, 0)
          child.attrSig = 0
        }
      }),
    )
  }

  #refreshed(path: string): void {
    this.#forgetMissingName(path)
    const top = this.nodeAt(path)
    if (!top) return
    for (const node of this.#table.subtree(top)) {
      this.#forgetMissing(node)
      this.#session.notifyInvalInode(node.ino, 0, 0)
      node.attrSig = 0
      node.pageVersion = ''
      if (node.parent && node !== top) this.#session.notifyInvalEntry(node.parent.ino, node.name)
    }
    if (top.parent) this.#session.notifyInvalEntry(top.parent.ino, top.name)
  }

  /** The kernel's "no such name" copies in a folder are dropped. */
  #forgetMissing(folder: InodeNode): void {
    for (const name of this.#negatives?.takeFolder(folder.ino) ?? []) this.#session.notifyInvalEntry(folder.ino, name)
  }

  /** The kernel's "no such name" copy for path, if it may hold one. */
  #forgetMissingName(path: string): void {
    if (!this.#negatives || path === '/') return
    const parent = this.nodeAt(parentOf(path))
    const name = baseName(path)
    if (parent && this.#negatives.take(parent.ino, name)) this.#session.notifyInvalEntry(parent.ino, name)
  }
}
