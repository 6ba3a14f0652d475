// An in-memory Remote for tests of the filesystem core: a tree of folders and
// files, a count of calls per method, failures with any RemoteError kind, and
// calls that hang until their signal aborts (like a bridge that stopped
// answering). Also complete options for the core.

import { sleep, systemTime, type Time } from '../../src/clock.js'
import { PROFILE_DEFAULTS } from '../../src/config/types.js'
import { coreOptionsOf, type CoreOptions } from '../../src/vfs/core-options.js'
import {
  RemoteError,
  type Listing,
  type Quota,
  type ContentReadOptions,
  type ReadOptions,
  type Remote,
  type RemoteEntry,
  type RemoteErrorKind,
} from '../../src/remote/remote.js'

type Method = 'list' | 'stat' | 'read' | 'put' | 'mkdir' | 'delete' | 'move' | 'copy' | 'quota'

interface Node {
  isDir: boolean
  content: Buffer
  mtimeMs: number | null
}

/** The core's options of a default profile, with overrides. */
export function testOptions(overrides: Partial<CoreOptions> = {}): CoreOptions {
  return {
    ...coreOptionsOf({ ...PROFILE_DEFAULTS, name: 'test', url: 'http://127.0.0.1:4443/AbCdEfGh/Test', mountpoint: '/tmp/megamount-test' }),
    // Unit tests count requests of the memory path and pass no real state
    // folder; the disk cache is tested where a test asks for it.
    diskCacheMaxBytes: 0,
    ...overrides,
  }
}

/** Deterministic content of a given size, different for each seed. */
export function patternBuffer(size: number, seed = 1): Buffer {
  const buffer = Buffer.alloc(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x = (x * 1664525 + 1013904223) >>> 0
    buffer[i] = x >>> 24
  }
  return buffer
}

export class FakeRemote implements Remote {
  readonly nodes = new Map<string, Node>([['/', { isDir: true, content: Buffer.alloc(0), mtimeMs: null }]])
  readonly calls: Record<Method, number> = { list: 0, stat: 0, read: 0, put: 0, mkdir: 0, delete: 0, move: 0, copy: 0, quota: 0 }
  readonly reads: { path: string; offset: number; length: number }[] = []
  /** Names listed twice, per folder (as MEGA allows). */
  readonly duplicates = new Map<string, string[]>()
  /** Entries a listing leaves out, per folder (names or sizes that cannot be files). */
  readonly unusable = new Map<string, { name: string; reason: string }[]>()
  quotaValue: Quota | null = null
  readonly #failures = new Map<Method, RemoteErrorKind>()
  readonly #hanging = new Set<Method>()
  readonly #hung: ((err: Error) => void)[] = []
  /** Every read takes this long on readTime, like a bridge's round trip
   *  (tests pass their ManualTime and advance it). */
  readDelayMs = 0
  /** Set: what every read returns instead of the bytes asked for (a server
   *  sending cut answers). */
  readAnswer: ((bytes: Buffer) => Buffer) | null = null
  readTime: Time = systemTime

  addFolder(path: string, mtimeMs: number | null = null): this {
    this.#ensureParents(path)
    this.nodes.set(path, { isDir: true, content: Buffer.alloc(0), mtimeMs })
    return this
  }

  addFile(path: string, content: Buffer | string, mtimeMs: number | null = 1_600_000_000_000): this {
    this.#ensureParents(path)
    this.nodes.set(path, { isDir: false, content: Buffer.from(content), mtimeMs })
    return this
  }

  /** Every later call of method fails with kind (null: stop failing). */
  failWith(method: Method, kind: RemoteErrorKind | null): void {
    if (kind) this.#failures.set(method, kind)
    else this.#failures.delete(method)
  }

  /** Every later call of method hangs until its signal aborts. Turning it
   *  off ends the calls still hanging as a real request's time bound would
   *  (a 'timeout' error), so nothing waits on them for ever. */
  hang(method: Method, on = true): void {
    if (on) {
      this.#hanging.add(method)
      return
    }
    this.#hanging.delete(method)
    for (const end of this.#hung.splice(0)) end(new RemoteError('timeout', `fake ${method}: no answer within the bound`))
  }

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0)
  }

  async list(path: string, options?: ReadOptions): Promise<Listing> {
    await this.#enter('list', options)
    const node = this.#get(path)
    if (!node.isDir) return { self: this.#entry(path, node), entries: [], duplicateNames: [] }
    const prefix = path === '/' ? '/' : path + '/'
    const entries: RemoteEntry[] = []
    for (const [p, child] of this.nodes) {
      if (p !== '/' && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) entries.push(this.#entry(p, child))
    }
    return { self: this.#entry(path, node), entries, duplicateNames: this.duplicates.get(path) ?? [], unusable: this.unusable.get(path) }
  }

  async stat(path: string, options?: ReadOptions): Promise<RemoteEntry> {
    await this.#enter('stat', options)
    return this.#entry(path, this.#get(path))
  }

  async read(path: string, offset: number, length: number, options?: ContentReadOptions): Promise<Buffer> {
    this.reads.push({ path, offset, length })
    await this.#enter('read', options)
    // on the injected readTime (tests pass their ManualTime), not a real-time sleep
    if (this.readDelayMs > 0) await sleep(this.readDelayMs, undefined, this.readTime)
    const node = this.#get(path)
    if (node.isDir) throw new RemoteError('other', `${path} is a folder`, { status: 405 })
    // Into the caller's window when it gives one, as WebDavRemote's direct
    // GETs do: every vfs read test then runs over reused windows.
    const part = node.content.subarray(offset, offset + length)
    const bytes = options?.allocate ? options.allocate(part.length) : Buffer.allocUnsafe(part.length)
    part.copy(bytes)
    return this.readAnswer ? this.readAnswer(bytes) : bytes
  }

  async put(): Promise<void> {
    await this.#enter('put')
    throw new RemoteError('forbidden', 'the fake remote is read-only', { status: 403 })
  }
  async mkdir(): Promise<void> {
    await this.#enter('mkdir')
    throw new RemoteError('forbidden', 'the fake remote is read-only', { status: 403 })
  }
  async delete(): Promise<void> {
    await this.#enter('delete')
    throw new RemoteError('forbidden', 'the fake remote is read-only', { status: 403 })
  }
  async move(): Promise<void> {
    await this.#enter('move')
    throw new RemoteError('forbidden', 'the fake remote is read-only', { status: 403 })
  }
  async copy(): Promise<void> {
    await this.#enter('copy')
    throw new RemoteError('forbidden', 'the fake remote is read-only', { status: 403 })
  }

  async quota(): Promise<Quota | null> {
    await this.#enter('quota')
    return this.quotaValue
  }

  async #enter(method: Method, options?: ReadOptions): Promise<void> {
    this.calls[method]++
    // A real turn of the event loop, so concurrent callers really overlap.
    await new Promise(resolve => setImmediate(resolve))
    if (this.#hanging.has(method)) {
      await new Promise((_, reject) => {
        const signal = options?.signal
        if (signal?.aborted) reject(signal.reason)
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true })
        this.#hung.push(reject)
      })
    }
    const kind = this.#failures.get(method)
    if (kind) throw new RemoteError(kind, `fake ${method} failure: ${kind}`)
  }

  #get(path: string): Node {
    const node = this.nodes.get(path)
    if (!node) throw new RemoteError('not-found', `${path}: 404`, { status: 404 })
    return node
  }

  #entry(path: string, node: Node): RemoteEntry {
    return {
      name: path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1),
      isDir: node.isDir,
      size: node.isDir ? 0 : node.content.length,
      mtimeMs: node.mtimeMs,
      ctimeMs: node.mtimeMs,
      etag: null,
    }
  }

  #ensureParents(path: string): void {
    const parts = path.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/')
      if (!this.nodes.has(p)) this.nodes.set(p, { isDir: true, content: Buffer.alloc(0), mtimeMs: null })
    }
  }
}
