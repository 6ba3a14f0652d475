// Account storage for statfs. `df` calls the kernel makes often (every `df`
// command, every file manager window) must not each start a mega-df process,
// and must never wait on one that hangs: callers get the last known value at
// once and a refresh runs in the background when it is older than ttlMs. Only
// the very first call, when nothing is known yet, waits, and at most
// firstWaitMs.
import { systemTime, waitAtMost, type Time } from '../clock.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import { silentLogger, type Logger } from '../log.js'
import type { MegaDf } from './parse-df.js'

export interface DfCacheOptions {
  // Absent: INTERNAL_DEFAULTS.df* (src/config/options.ts).
  /** A value younger than this is served without refreshing. */
  ttlMs?: number
  /** After a failed refresh, wait this long before trying again. */
  retryAfterFailureMs?: number
  /** How long the first call waits for a value before returning null. */
  firstWaitMs?: number
  time?: Time
  logger?: Logger
}

export class DfCache {
  private value: MegaDf | null = null
  private fetchedAtMs = -Infinity
  private failedAtMs = -Infinity
  private inFlight: Promise<void> | null = null
  /** The last refresh's error, cleared by a successful one. */
  lastError: unknown = null
  private readonly ttlMs: number
  private readonly retryAfterFailureMs: number
  private readonly firstWaitMs: number
  private readonly time: Time
  private readonly log: Logger

  constructor(
    private readonly fetchDf: () => Promise<MegaDf>,
    options: DfCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? INTERNAL_DEFAULTS.dfTtlMs
    this.retryAfterFailureMs = options.retryAfterFailureMs ?? INTERNAL_DEFAULTS.dfRetryAfterFailureMs
    this.firstWaitMs = options.firstWaitMs ?? INTERNAL_DEFAULTS.dfFirstWaitMs
    this.time = options.time ?? systemTime
    this.log = (options.logger ?? silentLogger).child({ component: 'df-cache' })
  }

  /** The last known value (possibly stale, null before the first success);
   *  starts a background refresh when stale. Never waits. */
  peek(): MegaDf | null {
    this.refreshIfStale()
    return this.value
  }

  /** Like peek, but when nothing is known yet waits up to firstWaitMs for the
   *  refresh it starts. Resolves null when that does not arrive in time. */
  async get(): Promise<MegaDf | null> {
    this.refreshIfStale()
    if (this.value || !this.inFlight) return this.value
    await waitAtMost(this.inFlight, this.firstWaitMs, this.time)
    return this.value
  }

  /** Forget the value (after a logout or account change). */
  invalidate(): void {
    this.value = null
    this.fetchedAtMs = -Infinity
  }

  private refreshIfStale(): void {
    if (this.inFlight) return
    const now = this.time.now()
    if (now - this.fetchedAtMs < this.ttlMs) return
    if (now - this.failedAtMs < this.retryAfterFailureMs) return
    this.inFlight = this.fetchDf()
      .then(
        (df) => {
          this.value = df
          this.fetchedAtMs = this.time.now()
          this.lastError = null
        },
        (err: unknown) => {
          this.failedAtMs = this.time.now()
          this.lastError = err
          this.log.warn({ err }, 'mega-df failed; serving the last known storage figures')
        },
      )
      .finally(() => {
        this.inFlight = null
      })
  }
}
