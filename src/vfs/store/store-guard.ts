// Every database call of the store goes through one guard: an error of the
// database once the mount runs (disk full, the file damaged under us, an I/O
// error) must never fail a filesystem operation. The first one is logged and
// turns the store off for the rest of the mount; the mount goes on with what
// it holds in memory, and the next start finds the damage and rebuilds.

import type { Logger } from '../../log.js'

export class StoreGuard {
  readonly #logger: Logger
  #failure: string | null = null

  constructor(logger: Logger) {
    this.#logger = logger
  }

  /** The error that turned the store off, or null. */
  get failure(): string | null {
    return this.#failure
  }

  get working(): boolean {
    return this.#failure === null
  }

  run<T>(what: string, fn: () => T, fallback: T): T {
    if (this.#failure !== null) return fallback
    try {
      return fn()
    } catch (err) {
      this.#failure = `${what}: ${(err as Error).message}`
      this.#logger.warn({ err, what }, 'the mount store failed; going on without it until the next start')
      return fallback
    }
  }
}
