// Bounds on control connections, so idle clients cannot use up the daemon's
// file descriptors (which its mounts need too): at most maxConnections at
// once, and a connection with no request running is closed after
// idleTimeoutMs. A mountctl command opens one connection for one request,
// so neither bound is felt in normal use; a request that takes long (an
// unmount waiting for uploads) keeps its connection while it runs.
import type net from 'node:net'
import type { Logger } from '../log.js'
import { createSystemScheduler, type Scheduler, type TimerHandle } from '../daemon/scheduler.js'

export const MAX_CONTROL_CONNECTIONS = 64
export const CONTROL_IDLE_TIMEOUT_MS = 60_000

export interface ConnectionLimitOptions {
  maxConnections?: number
  idleTimeoutMs?: number
  /** Runs the idle timers (tests pass a ManualScheduler). */
  scheduler?: Scheduler
}

interface Tracked {
  running: number
  timer: TimerHandle | null
}

export class ConnectionLimits {
  readonly maxConnections: number
  private readonly idleTimeoutMs: number
  private readonly scheduler: Scheduler
  private readonly open = new Map<net.Socket, Tracked>()
  private refusing = false

  constructor(
    options: ConnectionLimitOptions,
    private readonly logger: Logger,
  ) {
    this.maxConnections = options.maxConnections ?? MAX_CONTROL_CONNECTIONS
    this.idleTimeoutMs = options.idleTimeoutMs ?? CONTROL_IDLE_TIMEOUT_MS
    this.scheduler = options.scheduler ?? createSystemScheduler()
  }

  get count(): number {
    return this.open.size
  }

  /** False when the cap is reached: the caller answers and closes it. */
  admit(conn: net.Socket): boolean {
    if (this.open.size >= this.maxConnections) {
      if (!this.refusing) this.logger.warn({ max: this.maxConnections }, 'too many control connections: refusing new ones until some close')
      this.refusing = true
      return false
    }
    this.refusing = false
    const tracked: Tracked = { running: 0, timer: null }
    this.open.set(conn, tracked)
    this.arm(conn, tracked)
    return true
  }

  requestStarted(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    tracked.running++
    this.scheduler.clearTimeout(tracked.timer)
    tracked.timer = null
  }

  requestEnded(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    tracked.running = Math.max(0, tracked.running - 1)
    if (tracked.running === 0) this.arm(conn, tracked)
  }

  closed(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    this.scheduler.clearTimeout(tracked.timer)
    this.open.delete(conn)
  }

  private arm(conn: net.Socket, tracked: Tracked): void {
    this.scheduler.clearTimeout(tracked.timer)
    tracked.timer = this.scheduler.setTimeout(() => {
      tracked.timer = null
      if (tracked.running > 0) return
      this.logger.debug({ idleMs: this.idleTimeoutMs }, 'closing an idle control connection')
      conn.destroy()
    }, this.idleTimeoutMs)
  }
}
