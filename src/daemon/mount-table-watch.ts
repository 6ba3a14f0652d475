// Notices a mount that went away without the daemon: `fusermount -u`,
// `umount`, `gio mount -u`, a file manager's eject. Nothing tells a FUSE
// daemon so (the kernel just stops sending requests), so the mount table
// is read every intervalMs and every mount the daemon holds is looked up in
// it. Reading /proc/mounts is a few microseconds; macOS runs mount(8).
import type { MountRecord } from '../mount-table.js'
import type { Logger } from '../log.js'
import type { Time, TimerHandle } from '../clock.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'

/** A mount that must be in the table; onGone is told when it is not. */
export interface HeldMount {
  mountpoint: string
  onGone(): Promise<void> | void
}

export interface MountTableWatchOptions {
  time: Time
  logger: Logger
  readTable(): Promise<MountRecord[]>
  /** The mounts held now; read before the table, so a mount made while the
   *  table is read is not mistaken for a lost one. */
  held(): HeldMount[]
  /** Default 2 s: a lost mount is noticed within it (status promises 5 s). */
  intervalMs?: number
}

export const MOUNT_TABLE_INTERVAL_MS = INTERNAL_DEFAULTS.mountTableIntervalMs

export class MountTableWatch {
  private timer: TimerHandle | null = null
  private checking: Promise<void> | null = null
  private stopped = true
  private readonly logger: Logger

  constructor(private readonly opts: MountTableWatchOptions) {
    this.logger = opts.logger.child({ component: 'mount-table' })
  }

  start(): void {
    this.stopped = false
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
  }

  /** Looks now (before `mountctl mount`, which must not trust a mount that
   *  is already gone); joins a look in progress. */
  checkNow(): Promise<void> {
    this.checking ??= this.check().finally(() => (this.checking = null))
    return this.checking
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.opts.time.setTimeout(() => {
      this.timer = null
      void this.checkNow().finally(() => this.schedule())
    }, this.opts.intervalMs ?? MOUNT_TABLE_INTERVAL_MS)
  }

  private async check(): Promise<void> {
    const held = this.opts.held()
    if (held.length === 0) return
    let table: MountRecord[]
    try {
      table = await this.opts.readTable()
    } catch (err) {
      this.logger.debug({ err: (err as Error).message }, 'reading the mount table failed; trying again at the next look')
      return
    }
    const present = new Set(table.map(r => r.mountpoint))
    for (const mount of held) {
      if (present.has(mount.mountpoint)) continue
      try {
        await mount.onGone()
      } catch (err) {
        this.logger.error({ err, mountpoint: mount.mountpoint }, 'handling a mount gone from the mount table failed')
      }
    }
  }
}
