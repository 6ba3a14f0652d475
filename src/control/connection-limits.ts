// Bounds on control connections, so idle clients cannot use up the daemon's
// file descriptors (which its mounts need too): at most maxConnections at
// once, and a connection with no request running is closed after
// idleTimeoutMs. At the cap, the connection idle the longest makes room for
// a new one, so a mountctl command still gets through while some program
// hoards connections; only when every connection has a request running is
// the new one refused. A mountctl command opens one connection for one
// request, and a request that takes long (an unmount waiting for uploads)
// keeps its connection while it runs.
import type net from 'node:net'
import type { Logger } from '../log.js'
import { systemTime, type Time, type TimerHandle } from '../clock.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'

export const MAX_CONTROL_CONNECTIONS = INTERNAL_DEFAULTS.maxControlConnections
export const CONTROL_IDLE_TIMEOUT_MS = INTERNAL_DEFAULTS.controlIdleTimeoutMs
const REFUSED_LINGER_MS = 2_000

export interface ConnectionLimitOptions {
  maxConnections?: number
  idleTimeoutMs?: number
  /** Runs the idle timers (tests pass the manual fake). */
  time?: Time
}

interface Tracked {
  running: number
  timer: TimerHandle | null
  /** When it last became idle (connected, or its last request answered). */
  idleSinceMs: number
}

export class ConnectionLimits {
  readonly maxConnections: number
  private readonly idleTimeoutMs: number
  private readonly time: Time
  private readonly open = new Map<net.Socket, Tracked>()
  private refusing = false
  private evicting = false

  constructor(
    options: ConnectionLimitOptions,
    private readonly logger: Logger,
  ) {
    this.maxConnections = options.maxConnections ?? MAX_CONTROL_CONNECTIONS
    this.idleTimeoutMs = options.idleTimeoutMs ?? CONTROL_IDLE_TIMEOUT_MS
    this.time = options.time ?? systemTime
  }

  get count(): number {
    return this.open.size
  }

  /** False when the cap is reached and no connection is idle: the caller
   *  answers and closes it. */
  admit(conn: net.Socket): boolean {
    if (this.open.size >= this.maxConnections && !this.evictIdlest()) {
      if (!this.refusing) this.logger.warn({ max: this.maxConnections }, 'too many control connections, all with a request running: refusing new ones until some end')
      this.refusing = true
      return false
    }
    this.refusing = false
    const tracked: Tracked = { running: 0, timer: null, idleSinceMs: this.time.now() }
    this.open.set(conn, tracked)
    this.arm(conn, tracked)
    return true
  }

  /** A refused connection, answered: the client may still be writing its
   *  request, so only our side is closed (it reads the answer, not EPIPE);
   *  it is destroyed when the client closes, or after REFUSED_LINGER_MS. */
  closeRefused(conn: net.Socket): void {
    conn.resume() // its request is not read
    conn.end()
    const timer = this.time.setTimeout(() => conn.destroy(), REFUSED_LINGER_MS)
    conn.once('close', () => timer.cancel())
  }

  requestStarted(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    tracked.running++
    tracked.timer?.cancel()
    tracked.timer = null
  }

  requestEnded(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    tracked.running = Math.max(0, tracked.running - 1)
    if (tracked.running === 0) {
      tracked.idleSinceMs = this.time.now()
      this.arm(conn, tracked)
    }
  }

  closed(conn: net.Socket): void {
    const tracked = this.open.get(conn)
    if (!tracked) return
    tracked.timer?.cancel()
    this.open.delete(conn)
    if (this.open.size < this.maxConnections / 2) this.evicting = false // log the next episode again
  }

  /** Closes the connection idle the longest; false when none is idle. */
  private evictIdlest(): boolean {
    let idlest: [net.Socket, Tracked] | null = null
    for (const entry of this.open) {
      if (entry[1].running === 0 && (!idlest || entry[1].idleSinceMs < idlest[1].idleSinceMs)) idlest = entry
    }
    if (!idlest) return false
    if (!this.evicting) this.logger.warn({ max: this.maxConnections }, 'too many control connections: closing the ones idle the longest')
    this.evicting = true
    this.closed(idlest[0])
    idlest[0].destroy()
    return true
  }

  private arm(conn: net.Socket, tracked: Tracked): void {
    tracked.timer?.cancel()
    tracked.timer = this.time.setTimeout(() => {
      tracked.timer = null
      if (tracked.running > 0) return
      this.logger.debug({ idleMs: this.idleTimeoutMs }, 'closing an idle control connection')
      conn.destroy()
    }, this.idleTimeoutMs)
  }
}
