// Space figures for statfs (df, file managers' "free space"). The bridge
// itself serves no quota (MEGA's answers have no quota properties), so
// Remote.quota() usually returns null and df shows QUOTA_UNKNOWN: 1 PiB, all
// free, large enough that no program refuses to copy for lack of space.
// Known figures are cached and refreshed in the background; statfs never
// waits on a dead bridge, and waits at most firstWaitMs for the first answer.

import { waitAtMost, type Time } from '../clock.js'
import type { Logger } from '../log.js'
import type { Quota, Remote } from '../remote/remote.js'
import type { BridgeGate } from './bridge-gate.js'
import { NAME_MAX_BYTES } from './paths.js'
import type { StatFs } from './types.js'

export const QUOTA_UNKNOWN: Quota = { usedBytes: 0, availableBytes: 2 ** 50 }
export const STATFS_BLOCK_BYTES = 4096
const FILES_UNKNOWN = 1_000_000_000

export interface QuotaCacheOptions {
  remote: Remote
  gate: BridgeGate
  /** Ages the figures, and bounds the first wait. */
  time: Time
  logger: Logger
  /** Figures are refreshed when older than this. */
  refreshAfterMs: number
  /** Longest statfs waits for the very first answer. */
  firstWaitMs: number
}

export class QuotaCache {
  readonly #o: QuotaCacheOptions
  #quota: Quota | null = null
  #fetchedAtMs: number | null = null
  #inflight: Promise<void> | null = null

  constructor(options: QuotaCacheOptions) {
    this.#o = { ...options }
  }

  async statfs(): Promise<StatFs> {
    const stale = this.#fetchedAtMs === null || this.#o.time.now() - this.#fetchedAtMs >= this.#o.refreshAfterMs
    if (stale && this.#o.gate.available) {
      const refresh = this.#refresh()
      if (this.#fetchedAtMs === null) await waitAtMost(refresh, this.#o.firstWaitMs, this.#o.time)
    }
    return toStatFs(this.#quota ?? QUOTA_UNKNOWN)
  }

  #refresh(): Promise<void> {
    this.#inflight ??= this.#o.remote
      .quota()
      .then(
        quota => {
          this.#quota = quota
          this.#fetchedAtMs = this.#o.time.now()
        },
        (err: unknown) => {
          // Retry at the next refresh, not at every statfs.
          this.#fetchedAtMs = this.#o.time.now()
          this.#o.logger.warn({ err }, 'quota refresh failed, df keeps the previous figures')
        },
      )
      .finally(() => {
        this.#inflight = null
      })
    return this.#inflight
  }
}

export function toStatFs(quota: Quota): StatFs {
  const total = Math.floor((quota.usedBytes + quota.availableBytes) / STATFS_BLOCK_BYTES)
  const free = Math.floor(quota.availableBytes / STATFS_BLOCK_BYTES)
  return {
    blockSize: STATFS_BLOCK_BYTES,
    blocks: total,
    blocksFree: free,
    blocksAvailable: free,
    files: FILES_UNKNOWN,
    filesFree: FILES_UNKNOWN,
    nameMax: NAME_MAX_BYTES,
  }
}
