// Notices that the machine slept. Timers run on the monotonic clock, which
// stands still while the machine is suspended (Linux CLOCK_MONOTONIC, macOS
// mach_absolute_time), while the wall clock jumps ahead: a 1 s timer that
// finds the wall clock moved much more than the monotonic one (or moved more
// than it waited, or backwards, by over jumpThresholdMs) reports a resume, so the daemon
// re-checks every mount at once instead of at the next scheduled check.
import { monotonicClock, systemClock, type Clock, type Time, type TimerHandle } from '../clock.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'

export interface SuspendDetectorOptions {
  /** Runs the check timer. */
  time: Time
  /** The clock timers run on. Default monotonicClock; tests pass their time. */
  monotonicClock?: Clock
  /** Wall-clock time. Default systemClock. */
  wallClock?: Clock
  /** How often to compare the clocks. Default: INTERNAL_DEFAULTS.suspendCheckMs. */
  tickMs?: number
  /** A difference below this is clock noise (NTP, a busy machine). Default:
   *  INTERNAL_DEFAULTS.suspendJumpMs. */
  jumpThresholdMs?: number
  /** Called with the wall-clock gap that was not accounted for, in ms. */
  onResume(gapMs: number): void
}

export class SuspendDetector {
  private timer: TimerHandle | null = null
  private lastWall = 0
  private lastMono = 0
  private readonly tickMs: number
  private readonly thresholdMs: number
  private readonly wall: Clock
  private readonly mono: Clock

  constructor(private readonly opts: SuspendDetectorOptions) {
    this.tickMs = opts.tickMs ?? INTERNAL_DEFAULTS.suspendCheckMs
    this.thresholdMs = opts.jumpThresholdMs ?? INTERNAL_DEFAULTS.suspendJumpMs
    this.wall = opts.wallClock ?? systemClock
    this.mono = opts.monotonicClock ?? monotonicClock
  }

  start(): void {
    if (this.timer) return
    this.lastWall = this.wall.now()
    this.lastMono = this.mono.now()
    this.arm()
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = null
  }

  private arm(): void {
    this.timer = this.opts.time.setTimeout(() => this.tick(), this.tickMs)
  }

  private tick(): void {
    const wall = this.wall.now()
    const mono = this.mono.now()
    const wallElapsed = wall - this.lastWall
    const monoElapsed = mono - this.lastMono
    this.lastWall = wall
    this.lastMono = mono
    this.arm()
    const gap = wallElapsed - monoElapsed
    // The second test catches a resume where the monotonic clock kept counting
    // (Linux boottime-based timers) or the event loop stood still as long.
    if (Math.abs(gap) > this.thresholdMs || wallElapsed - this.tickMs > this.thresholdMs) this.opts.onResume(gap)
  }
}
