// A request that found the bridge down (refused, reset) or hanging (timed
// out) is evidence enough not to make the next operation wait for its own
// timeout too. The mount's filesystem gets the remote through this watcher;
// on such a failure the supervisor closes the bridge gate at once (later
// operations fail with EHOSTDOWN immediately) and probes the root right away,
// which reopens the gate within one round trip when the bridge is fine.
import { RemoteError, type ContentStream, type Listing, type Quota, type ReadOptions, type Remote, type RemoteEntry } from '../remote/remote.js'

export function isBridgeTrouble(err: unknown): boolean {
  return err instanceof RemoteError && (err.kind === 'bridge-down' || err.kind === 'timeout')
}

export class TroubleWatchingRemote implements Remote {
  readonly #inner: Remote
  readonly #onTrouble: (err: RemoteError) => void

  constructor(inner: Remote, onTrouble: (err: RemoteError) => void) {
    this.#inner = inner
    this.#onTrouble = onTrouble
  }

  async #watch<T>(call: Promise<T>): Promise<T> {
    try {
      return await call
    } catch (err) {
      if (isBridgeTrouble(err)) this.#onTrouble(err as RemoteError)
      throw err
    }
  }

  list(path: string, options?: ReadOptions): Promise<Listing> {
    return this.#watch(this.#inner.list(path, options))
  }
  stat(path: string, options?: ReadOptions): Promise<RemoteEntry> {
    return this.#watch(this.#inner.stat(path, options))
  }
  read(path: string, offset: number, length: number, options?: ReadOptions): Promise<Buffer> {
    return this.#watch(this.#inner.read(path, offset, length, options))
  }
  openStream(path: string, offset: number, length: number, options?: ReadOptions): ContentStream | null {
    const stream = this.#inner.openStream?.(path, offset, length, options) ?? null
    if (!stream) return null
    const take = (n: number, allocate?: (length: number) => Buffer) => this.#watch(stream.take(n, allocate))
    return {
      get position() {
        return stream.position
      },
      get end() {
        return stream.end
      },
      get closed() {
        return stream.closed
      },
      take,
      close: () => stream.close(),
    }
  }
  put(path: string, localFile: string, options?: { onProgress?: (sentBytes: number) => void; signal?: AbortSignal }): Promise<void> {
    return this.#watch(this.#inner.put(path, localFile, options))
  }
  mkdir(path: string): Promise<void> {
    return this.#watch(this.#inner.mkdir(path))
  }
  delete(path: string): Promise<void> {
    return this.#watch(this.#inner.delete(path))
  }
  move(from: string, to: string, options?: { overwrite?: boolean }): Promise<void> {
    return this.#watch(this.#inner.move(from, to, options))
  }
  copy(from: string, to: string, options?: { overwrite?: boolean }): Promise<void> {
    return this.#watch(this.#inner.copy(from, to, options))
  }
  quota(): Promise<Quota | null> {
    return this.#watch(this.#inner.quota())
  }
}
