// Bounds how many requests are in flight at once: the bridge serves every
// mount from one process and answers slowly when flooded.

export type Release = () => void

export class Semaphore {
  readonly max: number
  #active = 0
  #waiting: Array<{ grant: (release: Release) => void }> = []

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxConcurrentRequests must be a whole number of at least 1, got ${max}`)
    }
    this.max = max
  }

  get active(): number {
    return this.#active
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /** Resolves with a release function once a slot is free; rejects with the
   *  signal's reason if aborted while waiting. Call release exactly once
   *  (further calls are ignored). */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.#active < this.max) {
      this.#active++
      return Promise.resolve(this.#releaser())
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (release: Release) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(release)
        },
      }
      const onAbort = () => {
        const i = this.#waiting.indexOf(waiter)
        if (i >= 0) this.#waiting.splice(i, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
    })
  }

  /** Runs fn while holding a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal)
    try {
      return await fn()
    } finally {
      release()
    }
  }

  #releaser(): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#waiting.shift()
      // The slot passes straight to the next waiter, so #active stays put.
      if (next) next.grant(this.#releaser())
      else this.#active--
    }
  }
}
