// A Remote for prefetch tests: the fake remote behind a gate that can hold
// list and read calls until the test lets them go, counting how many are in
// flight at once and which paths were asked for, in order.

import type { Listing, ReadOptions, Remote, RemoteEntry } from '../../../src/remote/remote.js'
import { FakeRemote } from '../../helpers/fake-remote.js'

export class HeldRemote implements Remote {
  readonly inner = new FakeRemote()
  /** While true, list and read calls wait for release(). */
  holding = false
  inFlight = 0
  maxInFlight = 0
  readonly listed: string[] = []
  readonly readPaths: string[] = []
  #held: Array<() => void> = []

  get heldCount(): number {
    return this.#held.length
  }

  /** Let the n oldest held calls go (all when omitted). */
  release(n = Infinity): void {
    for (const go of this.#held.splice(0, n)) go()
  }

  async list(path: string, options?: ReadOptions): Promise<Listing> {
    this.listed.push(path)
    return this.#through(() => this.inner.list(path, options), options)
  }

  async read(path: string, offset: number, length: number, options?: ReadOptions): Promise<Buffer> {
    this.readPaths.push(path)
    return this.#through(() => this.inner.read(path, offset, length, options), options)
  }

  stat(path: string, options?: ReadOptions): Promise<RemoteEntry> {
    return this.inner.stat(path, options)
  }
  put(): Promise<void> {
    return this.inner.put()
  }
  mkdir(): Promise<void> {
    return this.inner.mkdir()
  }
  delete(): Promise<void> {
    return this.inner.delete()
  }
  move(): Promise<void> {
    return this.inner.move()
  }
  copy(): Promise<void> {
    return this.inner.copy()
  }
  quota() {
    return this.inner.quota()
  }

  async #through<T>(call: () => Promise<T>, options?: ReadOptions): Promise<T> {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    try {
      if (this.holding) {
        await new Promise<void>((resolve, reject) => {
          this.#held.push(resolve)
          options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true })
        })
      }
      return await call()
    } finally {
      this.inFlight--
    }
  }
}

/** Lets every pending callback and fake-remote turn run. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise(resolve => setImmediate(resolve))
}
