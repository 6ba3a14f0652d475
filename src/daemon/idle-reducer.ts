// Gives memory back once the daemon goes quiet after a burst of work. A
// crawl of 100,000 entries leaves V8's young generation grown to 8-16 MiB
// and the old generation full of garbage; V8's own memory reducer waits
// many seconds and keeps the young generation as it is, so top shows the
// daemon 20-30 MiB larger than what it holds for minutes
// (docs/performance.md, "Memory"). The reduction (a full collection that
// shrinks the young generation, malloc_trim) is the libfuse 3 addon's
// reduceMemory (src/fuse/native/memory.cc); without the addon there is none.
//
// It never runs during activity: only when no kernel request has reached
// the daemon for a whole check interval and none is waiting for its answer
// (a lookup waiting on a slow PROPFIND is activity too), after resident
// memory grew by minGrowthBytes since the last quiet moment or the young
// generation grew to that size, and at most once per minIntervalMs. The collection pauses the main thread (76-496 ms
// after the 100,000-entry crawl on a loaded machine, docs/performance.md);
// a request arriving meanwhile waits that long.
import v8 from 'node:v8'
import type { Logger } from '../log.js'
import type { Time, TimerHandle } from '../clock.js'

export interface IdleReducerOptions {
  time: Time
  logger: Logger
  /** Kernel requests handed to the daemon so far and those not yet
   *  answered, over every mount; null when some mount cannot tell
   *  (fuse-native): then nothing is reduced, its activity cannot be seen. */
  activity(): KernelActivity | null
  /** Resident memory now, in bytes. */
  rssBytes(): number
  /** The size V8's young generation has grown to, in bytes: a burst that
   *  allocated fast grows it to 8-16 MiB, and only a reduction shrinks it. */
  youngGenerationBytes(): number
  /** The reduction itself (the addon's reduceMemory). */
  reduce(): void
  /** How often activity is looked at; quiet means no request for a whole interval. */
  checkMs?: number
  minGrowthBytes?: number
  minIntervalMs?: number
}

export interface KernelActivity {
  requests: number
  pending: number
}

export interface IdleReducerStats {
  /** Reductions run so far. */
  reductions: number
  /** Resident memory they gave back, in bytes, and the last one's pause. */
  freedBytes: number
  lastPauseMs: number | null
  /** When the last one ran (ms since the epoch), or null. */
  lastAtMs: number | null
}

export const IDLE_REDUCER_DEFAULTS = {
  checkMs: 500,
  minGrowthBytes: 8 * 1024 * 1024,
  minIntervalMs: 5_000,
}

export class IdleReducer {
  private readonly checkMs: number
  private readonly minGrowthBytes: number
  private readonly minIntervalMs: number
  private timer: TimerHandle | null = null
  private lastRequests: number | null = null
  /** Requests had arrived since the last quiet check. */
  private busy = false
  /** The smallest resident size seen while quiet since the last reduction. */
  private baselineBytes: number | null = null
  private readonly counters: IdleReducerStats = { reductions: 0, freedBytes: 0, lastPauseMs: null, lastAtMs: null }

  constructor(private readonly opts: IdleReducerOptions) {
    this.checkMs = opts.checkMs ?? IDLE_REDUCER_DEFAULTS.checkMs
    this.minGrowthBytes = opts.minGrowthBytes ?? IDLE_REDUCER_DEFAULTS.minGrowthBytes
    this.minIntervalMs = opts.minIntervalMs ?? IDLE_REDUCER_DEFAULTS.minIntervalMs
  }

  start(): void {
    if (this.timer) return
    this.lastRequests = this.opts.activity()?.requests ?? null
    this.schedule()
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = null
  }

  stats(): IdleReducerStats {
    return { ...this.counters }
  }

  private schedule(): void {
    this.timer = this.opts.time.setTimeout(() => this.check(), this.checkMs, { keepAlive: false })
  }

  private check(): void {
    try {
      this.checkOnce()
    } catch (err) {
      this.opts.logger.warn({ err }, 'the idle memory reduction failed')
    }
    if (this.timer) this.schedule()
  }

  private checkOnce(): void {
    const activity = this.opts.activity()
    if (activity === null) return
    const moved = this.lastRequests !== null && activity.requests !== this.lastRequests
    this.lastRequests = activity.requests
    if (moved || activity.pending > 0) {
      this.busy = true
      return
    }
    // Quiet for a whole interval. Only the first quiet check after activity
    // looks at memory: an idle daemon costs one call of activity() per check.
    if (!this.busy) return
    this.busy = false
    const rss = this.opts.rssBytes()
    // The first quiet moment (the mounts made, the first requests answered)
    // is where growth counts from: what start-up loaded is code and caches,
    // not a burst's garbage, and a reduction then would only slow the
    // first browse that follows.
    if (this.baselineBytes === null) {
      this.baselineBytes = rss
      return
    }
    const baseline = Math.min(this.baselineBytes, rss)
    this.baselineBytes = baseline
    const now = this.opts.time.now()
    // The young generation too: a burst right after memory was held by
    // something since let go (a mount's read buffers, unmounted) may grow
    // the heap a lot and the resident size little above that low.
    if (rss - baseline < this.minGrowthBytes && this.opts.youngGenerationBytes() < this.minGrowthBytes) return
    if (this.counters.lastAtMs !== null && now - this.counters.lastAtMs < this.minIntervalMs) {
      // Too soon: looked at again at each quiet check until the interval has passed.
      this.busy = true
      return
    }
    const started = performance.now()
    this.opts.reduce()
    const pauseMs = performance.now() - started
    const after = this.opts.rssBytes()
    this.counters.reductions++
    this.counters.freedBytes += Math.max(0, rss - after)
    this.counters.lastPauseMs = Math.round(pauseMs)
    this.counters.lastAtMs = now
    this.baselineBytes = after
    this.opts.logger.debug({ rssBeforeMiB: mib(rss), rssAfterMiB: mib(after), pauseMs: Math.round(pauseMs) }, 'quiet after a burst: memory given back')
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024)
}

/** The reduction itself (the addon's reduceMemory) and, for tests, the
 *  resident size and the young generation's (default: the process's own). */
export interface MemoryReducerHooks {
  reduce(): void
  rssBytes?(): number
  youngGenerationBytes?(): number
}

function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find(s => s.space_name === 'new_space')?.space_size ?? 0
}

/** What the reducer needs of each mount (MountSupervisor). */
export interface ReducibleMount {
  kernelActivity(): KernelActivity | null
  /** Empties the mount's own caches that hold memory (SQLite's page cache). */
  releaseMemory(): void
}

/** The daemon's reducer over its mounts: their requests summed (null when
 *  one cannot count them), their caches emptied before the collection so
 *  that it and malloc_trim hand back what those held. */
export function reducerForMounts(mounts: () => Iterable<ReducibleMount>, hooks: MemoryReducerHooks, options: { time: Time; logger: Logger }): IdleReducer {
  return new IdleReducer({
    ...options,
    activity: () => {
      const total = { requests: 0, pending: 0 }
      for (const mount of mounts()) {
        const one = mount.kernelActivity()
        if (!one) return null
        total.requests += one.requests
        total.pending += one.pending
      }
      return total
    },
    rssBytes: hooks.rssBytes ?? (() => process.memoryUsage.rss()),
    youngGenerationBytes: hooks.youngGenerationBytes ?? youngGenerationBytes,
    reduce: () => {
      for (const mount of mounts()) mount.releaseMemory()
      hooks.reduce()
    },
  })
}
