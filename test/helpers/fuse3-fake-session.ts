// A stand-in for the addon's Session: records every reply and notification,
// packs folder entries the way libfuse does (each one costs its size, the
// rest waits for the next read), and can play a kernel that gave up on its
// requests (every reply then fails, as fuse_reply_* does).

import type { NativeSession, NativeStats, OpName } from '../../src/fuse/libfuse3/addon.js'
import { ATTR_STRIDE } from '../../src/fuse/libfuse3/attr-record.js'

export const OPS: Record<OpName, number> = {
  lookup: 1, forget: 2, getattr: 3, setattr: 4, mknod: 5, mkdir: 6, unlink: 7, rmdir: 8, symlink: 9, rename: 10,
  link: 11, open: 12, read: 13, write: 14, flush: 15, release: 16, fsync: 17, opendir: 18, readdir: 19,
  readdirplus: 20, releasedir: 21, statfs: 22, access: 23, create: 24, ended: 25,
}

export const SETATTR_BITS = { mode: 1, uid: 2, gid: 4, size: 8, atime: 16, mtime: 32, atimeNow: 128, mtimeNow: 256 }

export interface Reply {
  kind: string
  errno?: number
  ino?: number
  attrs?: number[]
  fh?: number
  bits?: number
  data?: Buffer
  /** The buffer object handed over, to see it reused. */
  buffer?: Buffer
  count?: number
  names?: string[]
  /** readdir: offsets of the entries packed. */
  offsets?: number[]
  attrTimeoutS?: number
  entryTimeoutS?: number
}

/** Bytes an entry takes in libfuse's buffer: header plus name, 8-aligned. */
const entryBytes = (name: string, plus: boolean) => (plus ? 152 : 24) + Math.ceil(Buffer.byteLength(name) / 8) * 8

export class FakeSession implements NativeSession {
  readonly replies = new Map<number, Reply>()
  readonly invalidated: { ino: number; offset: number; length: number }[] = []
  readonly forgottenNames: { parent: number; name: string }[] = []
  /** false: the kernel dropped the requests; every reply fails. */
  alive = true
  #waiters = new Map<number, (r: Reply) => void>()

  /** Replies refused because the kernel gave up (alive false). */
  refused = 0

  #answer(slot: number, reply: Reply): boolean {
    if (!this.alive) {
      this.refused++
      return false
    }
    if (this.replies.has(slot)) throw new Error(`slot ${slot} answered twice`)
    this.replies.set(slot, reply)
    this.#waiters.get(slot)?.(reply)
    return true
  }

  /** The reply to a slot, once it comes. */
  reply(slot: number): Promise<Reply> {
    const done = this.replies.get(slot)
    if (done) return Promise.resolve(done)
    return new Promise(resolve => this.#waiters.set(slot, resolve))
  }

  replyErr(slot: number, errno: number): boolean {
    return this.#answer(slot, { kind: 'err', errno })
  }
  replyEntry(slot: number, attrs: Float64Array, attrTimeoutS: number, entryTimeoutS: number): boolean {
    return this.#answer(slot, { kind: 'entry', ino: attrs[0], attrs: [...attrs], attrTimeoutS, entryTimeoutS })
  }
  replyCreate(slot: number, attrs: Float64Array, _a: number, _e: number, fh: number, bits: number): boolean {
    return this.#answer(slot, { kind: 'create', ino: attrs[0], attrs: [...attrs], fh, bits })
  }
  replyAttr(slot: number, attrs: Float64Array, attrTimeoutS: number): boolean {
    return this.#answer(slot, { kind: 'attr', ino: attrs[0], attrs: [...attrs], attrTimeoutS })
  }
  replyOpen(slot: number, fh: number, bits: number): boolean {
    return this.#answer(slot, { kind: 'open', fh, bits })
  }
  replyBuf(slot: number, buffer: Buffer, length: number): boolean {
    return this.#answer(slot, { kind: 'buf', data: Buffer.from(buffer.subarray(0, length)), buffer })
  }
  replyWrite(slot: number, count: number): boolean {
    return this.#answer(slot, { kind: 'write', count })
  }
  replyStatfs(slot: number, figures: Float64Array): boolean {
    return this.#answer(slot, { kind: 'statfs', attrs: [...figures] })
  }
  replyDir(slot: number, size: number, plus: boolean, names: string[], attrs: Float64Array, first: number): number {
    let used = 0
    let packed = 0
    for (; packed < names.length; packed++) {
      const need = entryBytes(names[packed], plus)
      if (used + need > size) break
      used += need
    }
    if (attrs.length < names.length * ATTR_STRIDE) throw new Error('attrs too short')
    const inos = Array.from({ length: packed }, (_, i) => attrs[i * ATTR_STRIDE])
    const ok = this.#answer(slot, {
      kind: plus ? 'dirplus' : 'dir',
      names: names.slice(0, packed),
      offsets: Array.from({ length: packed }, (_, i) => first + i + 1),
      attrs: inos,
    })
    return ok ? packed : -1
  }
  notifyInvalInode(ino: number, offset: number, length: number): void {
    this.invalidated.push({ ino, offset, length })
  }
  notifyInvalEntry(parent: number, name: string): void {
    this.forgottenNames.push({ parent, name })
  }
  expire(): number {
    return 0
  }
  destroy(): boolean {
    return true
  }
  stats(): NativeStats {
    return { maxWrite: 1 << 20, maxReadahead: 1 << 20, readdirplus: true, notificationsSent: 0, notificationsFailed: 0, pending: 0, requests: 0, queueWaitMeanMs: 0, queueWaitMaxMs: 0, answeredInAddon: 0 }
  }
}
