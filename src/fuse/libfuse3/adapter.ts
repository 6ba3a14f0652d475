// Kernel requests (libfuse 3's low-level API, through the addon) to
// FileSystem calls. Each request maps to one core call, with two jobs the
// high-level API would otherwise do for us in C:
// - inode numbers <-> paths (inode-table.ts), following the kernel's lookup
//   counts, so the kernel can be told which entry changed (invalidations);
// - folder reads at offsets, from a snapshot taken when the folder is read
//   from its start, so readdirplus hands over each entry with its
//   attributes and the kernel needs no LOOKUP per file (FUSE3.md).
//
// Kernel semantics worth knowing:
// - release comes exactly once, when the last duplicated descriptor is
//   closed: only release frees the handle. flush (once per close(2)) is
//   not registered: the kernel stops sending it (src/fuse/native/ops.cc).
// - every entry in a lookup, create, mkdir or readdirplus answer counts as
//   one lookup the kernel later forgets; "." and ".." in readdirplus do not.
// - a reply to a request the kernel gave up on (its caller was killed)
//   fails: nothing it would have counted is counted then.

import { constants as fsConstants } from 'node:fs'
import { systemClock, type Clock } from '../../clock.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Attr, FileHandle, FileSystem, FsChange } from '../../vfs/types.js'
import { errnoFor, fuseCodeFor } from '../errno.js'
import type { FailedOps } from '../failed-ops.js'
import { OPEN_KEEP_CACHE, type Dispatch, type NativeSession, type OpName } from './addon.js'
import { ATTR_STRIDE, attrSignature, contentVersion, writeAttr } from './attr-record.js'
import { FolderReader } from './folder-reader.js'
import { KernelInvalidator } from './invalidator.js'
import { InodeTable, ROOT_INO, type InodeNode } from './inode-table.js'
import { NegativeEntries } from './negative-entries.js'
import { OpenFiles } from './open-files.js'
import { ReadBuffers, readBytes } from './read-buffers.js'
import { applySetattr, type SetattrBits } from './setattr.js'

export interface LowLevelAdapterOptions {
  logger: Logger
  /** Writes answer EROFS to access(W_OK) too, so file managers grey them out. */
  readOnly: boolean
  /** How long the kernel may trust attributes and names without asking. */
  kernelTtlS: number
  /** How long the kernel may keep "no such name" (negative-entries.ts). */
  negativeTtlS: number
  /** File entries the kernel keeps before the oldest are shed (inode-table.ts). */
  fileEntryLimit?: number
  /** For setattr asking for "now". Default: the system clock. */
  clock?: Clock
  /** Operations that failed, for status (failed-ops.ts). */
  failedOps?: FailedOps
}

export interface KernelCounters {
  lookups: number
  readdirs: number
  reads: number
  readBytes: number
  largestReadBytes: number
  writes: number
  writeBytes: number
  forgets: number
}

type Handler = (r: Req) => Promise<void>

/** One request as dispatch receives it. */
interface Req {
  slot: number
  ino: number
  ino2: number
  fh: number
  off: number
  size: number
  flags: number
  mode: number
  name: string | undefined
  name2: string | undefined
  extra: Buffer | Float64Array | undefined
}

const MAX_READ_BYTES = 1024 * 1024
const O_ACCMODE = 3

export class LowLevelAdapter {
  readonly table: InodeTable
  readonly counters: KernelCounters = { lookups: 0, readdirs: 0, reads: 0, readBytes: 0, largestReadBytes: 0, writes: 0, writeBytes: 0, forgets: 0 }
  readonly #fs: FileSystem
  readonly #o: LowLevelAdapterOptions
  readonly #clock: Clock
  readonly #files = new OpenFiles()
  readonly #negatives: NegativeEntries
  readonly #folders: FolderReader
  readonly #buffers = new ReadBuffers(MAX_READ_BYTES, 8)
  readonly #attr = new Float64Array(ATTR_STRIDE)
  #session: NativeSession | null = null
  #invalidator: KernelInvalidator | null = null
  #handlers: (Handler | undefined)[] = []
  #endedOp = -1
  #onEnded: (() => void) | null = null

  constructor(fs: FileSystem, options: LowLevelAdapterOptions) {
    this.#fs = fs
    this.#o = options
    this.#clock = options.clock ?? systemClock
    this.table = new InodeTable(options.fileEntryLimit)
    this.#negatives = new NegativeEntries(this.#clock, options.negativeTtlS)
    this.#folders = new FolderReader(fs, this.table, options.kernelTtlS)
  }

  /** Connects a mounted session; ops are the addon's request numbers. */
  attach(session: NativeSession, ops: Record<OpName, number>, onEnded: () => void): void {
    this.#session = session
    this.#onEnded = onEnded
    this.#invalidator = new KernelInvalidator(this.#fs, this.table, session, this.#o.logger, this.#negatives)
    this.#folders.attach(session)
    this.table.shed = (parentIno, name) => session.notifyInvalEntry(parentIno, name)
    const byName: Partial<Record<OpName, Handler>> = {
      lookup: r => this.#lookup(r),
      getattr: r => this.#getattr(r),
      setattr: r => this.#setattr(r),
      mknod: r => this.#refuse('mknod', r),
      mkdir: r => this.#mkdir(r),
      unlink: r => this.#remove(r, 'unlink'),
      rmdir: r => this.#remove(r, 'rmdir'),
      symlink: r => this.#refuse('symlink', r),
      rename: r => this.#rename(r),
      link: r => this.#refuse('link', r),
      open: r => this.#open(r),
      read: r => this.#read(r),
      write: r => this.#write(r),
      release: r => this.#release(r),
      fsync: r => this.#handleOp(r, h => h.fsync()),
      opendir: r => this.#folders.open(r.slot, r.ino, this.#pathOf(r.ino, 'opendir')),
      readdir: r => this.#readdir(r, false),
      readdirplus: r => this.#readdir(r, true),
      releasedir: async r => {
        this.#folders.release(r.fh)
        session.replyErr(r.slot, 0)
      },
      statfs: r => this.#statfs(r),
      access: r => this.#access(r),
      create: r => this.#create(r),
    }
    this.#handlers = []
    for (const [name, handler] of Object.entries(byName) as [OpName, Handler][]) this.#handlers[ops[name]] = handler
    this.#forgetOp = ops.forget
    this.#endedOp = ops.ended
  }

  #forgetOp = -1
  readonly dispatch: Dispatch = (op, slot, ino, ino2, fh, off, size, flags, mode, name, name2, extra) => {
    if (op === this.#forgetOp) return this.#forget(extra as Float64Array)
    if (op === this.#endedOp) return this.#onEnded?.()
    const handler = this.#handlers[op]
    const r: Req = { slot, ino, ino2, fh, off, size, flags, mode, name, name2, extra }
    if (!handler) {
      this.#session?.replyErr(slot, errnoFor('ENOSYS'))
      return
    }
    handler(r).catch(err => this.#fail(r, op, err))
  }

  /** The core reports a change: tell the kernel (see invalidator.ts). */
  changed(change: FsChange): void {
    this.#invalidator?.changed(change)
  }

  openHandles = (): number => this.#files.size

  /** Release every handle (after the kernel connection ended). */
  releaseAll(): Promise<void> {
    return this.#files.releaseAll()
  }

  #fail(r: Req, op: number, err: unknown): void {
    const opName = this.#opName(op)
    this.#session?.replyErr(r.slot, -fuseCodeFor(err, this.#o.logger, opName, this.table.describe(r.ino, r.name), this.#o.failedOps))
  }

  #opName(op: number): string {
    return this.#handlers[op]?.name.replace(/^bound /, '') || `op ${op}`
  }

  // ---- names and attributes ----

  #node(ino: number, what: string): InodeNode {
    const node = this.table.get(ino)
    if (!node) throw new FsError('ENOENT', `${what}: unknown inode ${ino}`)
    return node
  }

  #pathOf(ino: number, what: string): string {
    const path = this.table.pathOf(this.#node(ino, what))
    if (path === null) throw new FsError('ENOENT', `${what}: inode ${ino} was removed`)
    return path
  }

  /** Answers an entry (lookup, mkdir, create) and counts the kernel's lookup. */
  #replyEntry(slot: number, parent: InodeNode, name: string, attr: Attr): boolean {
    this.#negatives.drop(parent.ino, name)
    const node = this.table.ensure(parent, name)
    writeAttr(this.#attr, 0, node.ino, attr)
    const ttl = this.#o.kernelTtlS
    if (!this.#session!.replyEntry(slot, this.#attr, ttl, ttl)) {
      this.table.dropIfUnused(node)
      return false
    }
    this.table.counted(node, attr.mode)
    node.attrSig = attrSignature(attr)
    return true
  }

  #replyAttr(slot: number, node: InodeNode, attr: Attr): void {
    writeAttr(this.#attr, 0, node.ino, attr)
    if (this.#session!.replyAttr(slot, this.#attr, this.#o.kernelTtlS)) node.attrSig = attrSignature(attr)
  }

  async #lookup(r: Req): Promise<void> {
    this.counters.lookups++
    const { parent, path } = this.table.childPath(r.ino, r.name, 'lookup')
    const attr = await this.#fs.getattr(path).catch((err: unknown) => {
      if (err instanceof FsError && err.code === 'ENOENT' && this.#negatives.add(parent.ino, r.name!)) return null
      throw err
    })
    // Inode 0: "no such name", kept by the kernel (negative-entries.ts).
    if (!attr) this.#session!.replyEntry(r.slot, this.#attr.fill(0), 0, this.#o.negativeTtlS)
    else this.#replyEntry(r.slot, parent, r.name!, attr)
  }

  #forget(pairs: Float64Array): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      this.counters.forgets++
      this.table.forget(pairs[i], pairs[i + 1])
    }
  }

  async #getattr(r: Req): Promise<void> {
    const node = this.#node(r.ino, 'getattr')
    const open = this.#files.find(r.fh)
    const attr = open ? await open.getattr() : await this.#fs.getattr(this.#pathOf(r.ino, 'getattr'))
    this.#replyAttr(r.slot, node, attr)
  }

  async #setattr(r: Req): Promise<void> {
    const node = this.#node(r.ino, 'setattr')
    const path = this.table.pathOf(node)
    const open = this.#files.find(r.fh)
    if (path === null && !open) throw new FsError('ENOENT', `setattr: inode ${r.ino} was removed`)
    const attr = await applySetattr(this.#fs, path, open, r.flags, r.extra as Float64Array, this.#setattrBits!, this.#clock.now())
    this.#replyAttr(r.slot, node, attr)
  }

  #setattrBits: SetattrBits | null = null
  /** The addon's setattr bit values (libfuse's FUSE_SET_ATTR_*). */
  setSetattrBits(bits: SetattrBits): void {
    this.#setattrBits = bits
  }

  async #mkdir(r: Req): Promise<void> {
    const { parent, path } = this.table.childPath(r.ino, r.name, 'mkdir')
    this.#negatives.drop(parent.ino, r.name!) // as in create
    await this.#fs.mkdir(path, r.mode)
    this.#replyEntry(r.slot, parent, r.name!, await this.#fs.getattr(path))
  }

  async #remove(r: Req, op: 'unlink' | 'rmdir'): Promise<void> {
    const { parent, path } = this.table.childPath(r.ino, r.name, op)
    await (op === 'unlink' ? this.#fs.unlink(path) : this.#fs.rmdir(path))
    this.table.detach(parent, r.name!)
    this.#session!.replyErr(r.slot, 0)
  }

  async #rename(r: Req): Promise<void> {
    const from = this.table.childPath(r.ino, r.name, 'rename')
    const to = this.table.childPath(r.ino2, r.name2, 'rename')
    // renameat2: RENAME_NOREPLACE (1) is checked here; RENAME_EXCHANGE (2)
    // cannot be done on MEGA.
    if (r.flags & 2) throw new FsError('EINVAL', `rename ${from.path}: exchanging two entries is not possible on MEGA`)
    if (r.flags & 1) {
      const exists = await this.#fs.getattr(to.path).then(
        () => true,
        err => (err instanceof FsError && err.code === 'ENOENT' ? false : Promise.reject(err)),
      )
      if (exists) throw new FsError('EEXIST', `rename ${from.path}: ${to.path} exists`)
    }
    const moving = this.table.child(from.parent, r.name!)
    this.#negatives.drop(to.parent.ino, r.name2!) // as in create
    await this.#fs.rename(from.path, to.path)
    this.table.rename(from.parent, r.name!, to.parent, r.name2!, moving)
    this.#session!.replyErr(r.slot, 0)
  }

  async #refuse(op: string, r: Req): Promise<void> {
    throw new FsError(this.#o.readOnly ? 'EROFS' : 'EPERM', `${op} ${r.name ?? ''}: not possible on MEGA`)
  }

  async #access(r: Req): Promise<void> {
    const path = this.#pathOf(r.ino, 'access')
    if (this.#o.readOnly && r.flags & fsConstants.W_OK) throw new FsError('EROFS', `${path}: read-only mount`)
    await this.#fs.getattr(path)
    this.#session!.replyErr(r.slot, 0)
  }

  async #statfs(r: Req): Promise<void> {
    const s = await this.#fs.statfs('/')
    const figures = new Float64Array([s.blockSize, s.blockSize, s.blocks, s.blocksFree, s.blocksAvailable, s.files, s.filesFree, s.filesFree, s.nameMax])
    this.#session!.replyStatfs(r.slot, figures)
  }

  #readdir(r: Req, plus: boolean): Promise<void> {
    this.counters.readdirs++
    return this.#folders.read(r.slot, r.ino, r.fh, r.off, r.size, plus)
  }

  // ---- open files ----

  /** keep_cache when the kernel's pages are of the content open now. */
  #openBits(node: InodeNode, attr: Attr, flags: number): number {
    const version = contentVersion(attr)
    const keep = node.pageVersion === version && (flags & O_ACCMODE) === fsConstants.O_RDONLY
    node.pageVersion = version
    return keep ? OPEN_KEEP_CACHE : 0
  }

  async #open(r: Req): Promise<void> {
    const node = this.#node(r.ino, 'open')
    const path = this.#pathOf(r.ino, 'open')
    const handle = await this.#fs.open(path, r.flags)
    const bits = this.#openBits(node, await handle.getattr(), r.flags)
    const fh = this.#files.add(handle)
    if (!this.#session!.replyOpen(r.slot, fh, bits)) await this.#files.drop(fh)
  }

  async #create(r: Req): Promise<void> {
    const { parent, path } = this.table.childPath(r.ino, r.name, 'create')
    // The kernel makes the name: the core's change report must not undo it.
    this.#negatives.drop(parent.ino, r.name!)
    const handle = await this.#fs.create(path, r.mode)
    const attr = await handle.getattr()
    const fh = this.#files.add(handle)
    const node = this.table.ensure(parent, r.name!)
    node.pageVersion = contentVersion(attr)
    writeAttr(this.#attr, 0, node.ino, attr)
    const ttl = this.#o.kernelTtlS
    if (this.#session!.replyCreate(r.slot, this.#attr, ttl, ttl, fh, 0)) {
      this.table.counted(node, attr.mode)
      node.attrSig = attrSignature(attr)
    } else {
      this.table.dropIfUnused(node)
      await this.#files.drop(fh)
    }
  }

  async #read(r: Req): Promise<void> {
    const handle = this.#files.get(r.fh)
    const buffer = this.#buffers.take(r.size)
    try {
      const bytes = await readBytes(handle, buffer, r.size, r.off)
      this.counters.reads++
      this.counters.readBytes += bytes.length
      this.counters.largestReadBytes = Math.max(this.counters.largestReadBytes, r.size)
      this.#session!.replyBuf(r.slot, bytes, bytes.length)
    } finally {
      this.#buffers.give(buffer)
    }
  }

  async #write(r: Req): Promise<void> {
    const data = r.extra as Buffer
    const n = await this.#files.get(r.fh).write(data, data.length, r.off)
    this.counters.writes++
    this.counters.writeBytes += n
    this.#session!.replyWrite(r.slot, n)
  }

  async #handleOp(r: Req, run: (h: FileHandle) => Promise<void>): Promise<void> {
    await run(this.#files.get(r.fh))
    this.#session!.replyErr(r.slot, 0)
  }

  async #release(r: Req): Promise<void> {
    // Answered at once: what release does (the file's data to disk before
    // it is queued for upload) may take a while on a busy disk, and the
    // kernel holds at most max_background releases in flight before it
    // makes the next close(2) wait. Started first, so a later open sees the
    // file closed; a failure is logged (close(2) reported through flush).
    const done = this.#files.release(r.fh)
    this.#session!.replyErr(r.slot, 0)
    await done
  }
}

export { ROOT_INO }
