// Test doubles for the write path: a writable in-memory Remote that records
// every call and can fail or hold any of them, and waits for real I/O (time
// under test is test/helpers/manual-time.ts).
// (This file holds no tests; tap lists it as skipped.)

import { promises as fsp } from 'node:fs'
import { RemoteError, type Listing, type Quota, type ReadOptions, type Remote, type RemoteEntry, type RemoteErrorKind } from '../../../src/remote/remote.js'

export type Method = 'list' | 'stat' | 'read' | 'put' | 'mkdir' | 'delete' | 'move' | 'copy' | 'quota'

export interface Call {
  method: Method
  path: string
  to?: string
  /** For put: the content the server received. */
  content?: Buffer
}

interface Node {
  isDir: boolean
  content: Buffer
}

interface Gate {
  promise: Promise<void>
  open: () => void
}

export class WritableFakeRemote implements Remote {
  readonly nodes = new Map<string, Node>([['/', { isDir: true, content: Buffer.alloc(0) }]])
  readonly calls: Call[] = []
  /** Failures to give, per method, in order; a null kind ends the list. */
  private readonly failures = new Map<Method, RemoteErrorKind[]>()
  private readonly alwaysFail = new Map<Method, RemoteErrorKind>()
  private gate: Gate | null = null
  /** Puts that have started and are held at the gate. */
  heldPuts = 0
  /** Puts finish even when aborted (an answer already on its way). */
  ignoreAbort = false

  addFolder(path: string): this {
    this.ensureParents(path)
    this.nodes.set(path, { isDir: true, content: Buffer.alloc(0) })
    return this
  }

  addFile(path: string, content: Buffer | string): this {
    this.ensureParents(path)
    this.nodes.set(path, { isDir: false, content: Buffer.from(content) })
    return this
  }

  content(path: string): string | undefined {
    const node = this.nodes.get(path)
    return node && !node.isDir ? node.content.toString() : undefined
  }

  /** The next `times` calls of method fail with kind. */
  failNext(method: Method, kind: RemoteErrorKind, times = 1): void {
    const list = this.failures.get(method) ?? []
    for (let i = 0; i < times; i++) list.push(kind)
    this.failures.set(method, list)
  }

  /** Every call of method fails with kind until called with null. */
  failAlways(method: Method, kind: RemoteErrorKind | null): void {
    if (kind) this.alwaysFail.set(method, kind)
    else this.alwaysFail.delete(method)
  }

  /** Hold every put (after it read its body) until release(). */
  holdPuts(): void {
    let open!: () => void
    const promise = new Promise<void>(resolve => (open = resolve))
    this.gate = { promise, open }
  }

  releasePuts(): void {
    const gate = this.gate
    this.gate = null
    gate?.open()
  }

  callsOf(method: Method): Call[] {
    return this.calls.filter(c => c.method === method)
  }

  async list(path: string): Promise<Listing> {
    await this.enter({ method: 'list', path })
    const node = this.get(path)
    const prefix = path === '/' ? '/' : path + '/'
    const entries: RemoteEntry[] = []
    for (const [p, child] of this.nodes) {
      if (p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) entries.push(entryOf(p, child))
    }
    return { self: entryOf(path, node), entries, duplicateNames: [] }
  }

  async stat(path: string): Promise<RemoteEntry> {
    await this.enter({ method: 'stat', path })
    return entryOf(path, this.get(path))
  }

  async read(path: string, offset: number, length: number, _options?: ReadOptions): Promise<Buffer> {
    await this.enter({ method: 'read', path })
    return Buffer.from(this.get(path).content.subarray(offset, offset + length))
  }

  async put(path: string, localFile: string, options?: { onProgress?: (sentBytes: number) => void; signal?: AbortSignal }): Promise<void> {
    const content = await fsp.readFile(localFile)
    const call: Call = { method: 'put', path, content }
    await this.enter(call)
    options?.onProgress?.(content.length)
    if (this.gate) {
      this.heldPuts++
      try {
        await raceAbort(this.gate.promise, options?.signal)
      } finally {
        this.heldPuts--
      }
    }
    if (!this.ignoreAbort) options?.signal?.throwIfAborted()
    const parent = parentOf(path)
    if (!this.nodes.get(parent)?.isDir) throw new RemoteError('conflict', `${parent} is missing`, { status: 409 })
    this.nodes.set(path, { isDir: false, content })
  }

  async mkdir(path: string): Promise<void> {
    await this.enter({ method: 'mkdir', path })
    if (this.nodes.has(path)) throw new RemoteError('exists', `${path} exists`, { status: 405 })
    if (!this.nodes.get(parentOf(path))?.isDir) throw new RemoteError('conflict', `parent of ${path} is missing`, { status: 409 })
    this.nodes.set(path, { isDir: true, content: Buffer.alloc(0) })
  }

  async delete(path: string): Promise<void> {
    await this.enter({ method: 'delete', path })
    this.get(path)
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(path + '/')) this.nodes.delete(p)
  }

  async move(from: string, to: string, options?: { overwrite?: boolean }): Promise<void> {
    await this.enter({ method: 'move', path: from, to })
    this.get(from)
    if (this.nodes.has(to)) {
      if (options?.overwrite === false) throw new RemoteError('exists', `${to} exists`, { status: 412 })
      for (const p of [...this.nodes.keys()]) if (p === to || p.startsWith(to + '/')) this.nodes.delete(p)
    }
    if (!this.nodes.get(parentOf(to))?.isDir) throw new RemoteError('conflict', `parent of ${to} is missing`, { status: 409 })
    for (const [p, node] of [...this.nodes]) {
      if (p === from || p.startsWith(from + '/')) {
        this.nodes.delete(p)
        this.nodes.set(to + p.slice(from.length), node)
      }
    }
  }

  async copy(from: string, to: string): Promise<void> {
    await this.enter({ method: 'copy', path: from, to })
    this.nodes.set(to, { ...this.get(from) })
  }

  async quota(): Promise<Quota | null> {
    await this.enter({ method: 'quota', path: '/' })
    return null
  }

  private async enter(call: Call): Promise<void> {
    this.calls.push(call)
    // A real turn of the event loop, so concurrent callers overlap.
    await new Promise(resolve => setImmediate(resolve))
    const always = this.alwaysFail.get(call.method)
    if (always) throw new RemoteError(always, `fake ${call.method} failure: ${always}`, { status: statusOf(always) })
    const next = this.failures.get(call.method)?.shift()
    if (next) throw new RemoteError(next, `fake ${call.method} failure: ${next}`, { status: statusOf(next) })
  }

  private get(path: string): Node {
    const node = this.nodes.get(path)
    if (!node) throw new RemoteError('not-found', `${path}: 404`, { status: 404 })
    return node
  }

  private ensureParents(path: string): void {
    const parts = path.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/')
      if (!this.nodes.has(p)) this.nodes.set(p, { isDir: true, content: Buffer.alloc(0) })
    }
  }
}

function statusOf(kind: RemoteErrorKind): number | undefined {
  return ({ 'no-space': 507, forbidden: 403, busy: 503, conflict: 409, other: 500, 'not-found': 404, 'root-missing': 404 } as Partial<Record<RemoteErrorKind, number>>)[kind]
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}

function entryOf(path: string, node: Node): RemoteEntry {
  return { name: path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1), isDir: node.isDir, size: node.content.length, mtimeMs: null, ctimeMs: null, etag: null }
}

function raceAbort(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    promise.then(resolve, reject)
  })
}

/** Clock and Timers in one, moved only by advance(). */
/** Let promise callbacks and immediates run a few times. */
export async function turns(count = 1): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise(resolve => setImmediate(resolve))
}

/** Wait for real I/O (not for time under test) until condition holds;
 *  gives up after limitMs of wall-clock time. */
export async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = performance.now()
  while (!condition()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting until ${what}`)
    await new Promise(resolve => setImmediate(resolve))
  }
}
