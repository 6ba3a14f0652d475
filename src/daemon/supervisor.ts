// One profile's mount and its life: probe the bridge, mount when it answers,
// wait with capped backoff while it does not, then probe it periodically and
// move between mounted and degraded. A mount whose store holds a tree from an
// earlier run is mounted at once, degraded, without waiting for the bridge or
// MEGAcmd, and becomes mounted at the first probe that answers. Start, stop and the timers can
// interleave; every async step checks `epoch` (bumped by start and stop) so a
// step that outlived its start does nothing, and stop() awaits the step in
// flight so no mount is left behind.
//
// The jobs are in their own files: the bridge and its URL (mount-bridge.ts),
// the probe and its bound (bridge-probe.ts), one mount attempt and the
// backoff between them (mount-attempt.ts), the health schedule
// (health-schedule.ts), the uploads (mount-uploads.ts), what status shows
// (mount-status.ts) and what it shows of the store (mount-status-parts.ts).
// This file holds the life cycle and the state.
import { INTERNAL_DEFAULTS, type Profile } from '../config/types.js'
import type { KernelActivity } from './idle-reducer.js'
import type { Time, TimerHandle } from '../clock.js'
import type { CacheReport, MountState, MountStatus } from '../control/wire-types.js'
import { cronOn, type Cron } from '../cron.js'
import type { Logger } from '../log.js'
import type { Remote, RemoteError } from '../remote/remote.js'
import type { MountStore } from '../vfs/store/mount-store.js'
import type { MountBackend, MountHandle, SupervisedFs } from './backend.js'
import type { HeldMount } from './mount-table-watch.js'
import { BridgeProbe } from './bridge-probe.js'
import { explainMountError, explainResolveError, type Explained } from './explain-error.js'
import { HealthSchedule } from './health-schedule.js'
import { RetryBackoff, mountProfile } from './mount-attempt.js'
import { MountBridge } from './mount-bridge.js'
import { MountStatusView } from './mount-status.js'
import { cacheReport, storeReport } from './mount-status-parts.js'
import { MountUploads } from './mount-uploads.js'

export interface SupervisorOptions {
  profile: Profile
  backend: MountBackend
  time: Time
  logger: Logger
  stateDir: string
  /** Read at every scheduling, so a reload that changes it takes effect. */
  healthIntervalMs: () => number
  /** First retry delay while waiting for the bridge; doubles up to
   *  retryMaxMs. Both absent: INTERNAL_DEFAULTS.mountRetry*. */
  retryInitialMs?: number
  retryMaxMs?: number
  /** Runs the periodic health check (systemCron in the daemon); default: cron
   *  on `time`, so tests drive it with the same clock. */
  cron?: Cron
}

export class MountSupervisor {
  readonly profile: Profile
  /** The mount's upload queue while mounted; what it left in the journal after. */
  readonly uploads: MountUploads
  private readonly opts: SupervisorOptions
  private readonly logger: Logger
  private readonly probe: BridgeProbe
  private readonly bridge: MountBridge
  private readonly retry: RetryBackoff
  private readonly view: MountStatusView
  private stateValue: MountState = 'unmounted'
  private sinceMs: number
  private lastError: Explained | null = null
  private wanted: boolean
  private epoch = 0
  private timer: TimerHandle | null = null
  private inflight: Promise<void> = Promise.resolve()
  private fs: SupervisedFs | null = null
  private handle: MountHandle | null = null
  private health: HealthSchedule | null = null
  private store: MountStore | null = null

  constructor(options: SupervisorOptions) {
    this.opts = options
    this.profile = options.profile
    this.logger = options.logger.child({ component: 'supervisor', mount: options.profile.name })
    this.wanted = options.profile.autostart
    this.sinceMs = options.time.now()
    this.probe = new BridgeProbe(options.time, options.profile.requestTimeoutMs)
    this.bridge = new MountBridge({ profile: options.profile, backend: options.backend, logger: this.logger, probe: this.probe })
    this.retry = new RetryBackoff({
      initialMs: options.retryInitialMs ?? INTERNAL_DEFAULTS.mountRetryInitialMs,
      maxMs: options.retryMaxMs ?? INTERNAL_DEFAULTS.mountRetryMaxMs,
      intervalMs: options.healthIntervalMs,
    })
    this.view = new MountStatusView(this.logger)
    this.uploads = new MountUploads(options.profile.name, this.logger, options.time)
  }

  get state(): MountState {
    return this.stateValue
  }

  get isWanted(): boolean {
    return this.wanted
  }

  /** The FUSE binding serving the mount, or null when not mounted. */
  get fuseBackend(): string | null {
    return this.handle?.backend ?? null
  }

  /** Empties the store's page cache and lets go of the core's content
   *  copies that are on disk (the daemon went quiet, idle-reducer.ts). */
  releaseMemory(): void {
    this.store?.releaseMemory()
    this.fs?.releaseMemory?.()
  }

  /** Kernel requests served so far and not yet answered (idle-reducer.ts):
   *  none while not mounted; null when the backend cannot count them (fuse-native). */
  kernelActivity(): KernelActivity | null {
    if (!this.handle) return { requests: 0, pending: 0 }
    const native = this.handle.kernelStats?.()?.native
    return native ? { requests: native.requests, pending: native.pending } : null
  }

  /** Mount now if the bridge answers, else keep trying. Resolves once the
   *  first attempt has ended (mounted, waiting or failed). */
  async start(): Promise<void> {
    this.wanted = true
    if (this.handle) return // already mounted or degraded
    this.cancel()
    const epoch = ++this.epoch
    this.retry.reset()
    this.setState('waiting', this.lastError)
    await this.run(() => this.attempt(epoch))
  }

  /** Unmount and stop every timer; the supervisor can be started again.
   *  gone: the kernel mount is already gone, and this is why (for status). */
  async stop(reason = 'stop', gone: Explained | null = null): Promise<void> {
    this.wanted = false
    this.epoch++
    this.cancel()
    await this.inflight.catch(() => {})
    const handle = this.handle
    const fsCore = this.fs
    this.handle = null
    this.fs = null
    if (handle) {
      this.logger.info({ mountpoint: handle.mountpoint, reason }, 'unmounting')
      try {
        await handle.unmount()
      } catch (err) {
        if (gone) {
          // Nothing left to unmount: the FUSE layer's clean-up may fail.
          this.logger.debug({ err: (err as Error).message }, 'clean-up of a mount already gone')
          await this.closeFs(fsCore)
          this.closeStore()
          this.setState('unmounted', gone)
          return
        }
        this.logger.error({ err }, 'unmount failed')
        this.setState('failed', {
          message: `unmounting ${this.profile.mountpoint} failed: ${(err as Error).message}`,
          hint: `close programs using the folder (lsof +D "${this.profile.mountpoint}"), then run: mountctl unmount ${this.profile.name}`,
        })
        await this.closeFs(fsCore)
        this.closeStore()
        return
      }
    }
    await this.closeFs(fsCore)
    this.closeStore()
    this.setState('unmounted', gone)
  }

  /** The mount this supervisor holds, for the mount-table watch. */
  heldMount(): HeldMount | null {
    const handle = this.handle
    return handle && { mountpoint: handle.mountpoint, onGone: () => this.lostMount(handle) }
  }

  /** The mount went away without us (fusermount -u, a file manager's
   *  eject): taken as the user's `mountctl unmount --force`. The filesystem
   *  core closes, its pending uploads stay in the journal for the next mount. */
  private async lostMount(handle: MountHandle): Promise<void> {
    if (this.handle !== handle) return // unmounted or remounted meanwhile
    this.logger.warn({ mountpoint: handle.mountpoint }, 'the mount was removed from outside megamount: now unmounted; pending uploads stay in the journal')
    await this.stop('removed from the mount table', {
      message: `unmounted from outside megamount (fusermount -u, umount or a file manager's eject) at ${new Date(this.opts.time.now()).toISOString()}`,
      hint: `mount it again: mountctl mount ${this.profile.name} (uploads left in the journal resume then)`,
    })
  }

  /** Resolves when the step in flight (attempt, probe, stop) has ended. */
  idle(): Promise<void> {
    return this.inflight
  }

  /** Forget cached metadata so the next access asks the bridge. */
  refresh(path?: string): void {
    if (!this.fs) throw new Error(`"${this.profile.name}" is not mounted`)
    this.fs.invalidate(path)
  }

  /** What the mount's store holds (`mountctl cache`), emptied first when
   *  clear: through the core while mounted, else the store itself. */
  cacheReport(clear: boolean): CacheReport {
    const open = () => this.opts.backend.openStore?.(this.profile, this.opts.stateDir, this.logger) ?? null
    const store = storeReport(this.fs, this.store, open, clear)
    if (clear) this.logger.info('store emptied (mountctl cache clear)')
    return cacheReport(this.status(), this.profile.diskCacheMaxBytes, store, clear)
  }

  status(): MountStatus {
    return this.view.status({
      profile: this.profile,
      url: this.bridge.url,
      warnings: this.bridge.warnings(),
      state: this.stateValue,
      wanted: this.wanted,
      sinceMs: this.sinceMs,
      bridge: this.probe.last,
      lastError: this.lastError,
      uploads: this.uploads,
      fs: this.fs,
      handle: this.handle,
    })
  }

  /** Stops retries and health probes but leaves the mount in place: the first
   *  step of the daemon's shutdown, before anything is unmounted. */
  cancelTimers(): void {
    this.epoch++
    this.cancel()
  }

  /** Check the bridge now, outside the schedule (after a suspend/resume):
   *  a mounted mount is probed, a waiting one retried at once. */
  checkNow(): void {
    if (this.handle) return this.health?.tick()
    if (this.stateValue !== 'waiting' || !this.wanted || !this.timer) return
    this.retry.reset()
    this.schedule(0, this.epoch)
  }

  private run(step: () => Promise<void>): Promise<void> {
    const p = this.inflight.catch(() => {}).then(step)
    this.inflight = p.catch(err => this.logger.error({ err }, 'supervisor step failed'))
    return this.inflight
  }

  private cancel(): void {
    this.health?.stop()
    this.health = null
    this.timer?.cancel()
    this.timer = null
    this.probe.cancel()
  }

  /** The next attempt, after delayMs. */
  private schedule(delayMs: number, epoch: number): void {
    this.timer?.cancel()
    this.timer = this.opts.time.setTimeout(() => {
      this.timer = null
      if (epoch === this.epoch) void this.run(() => this.attempt(epoch))
    }, delayMs)
  }

  private waitAndRetry(epoch: number, why: Explained): void {
    this.setState('waiting', why)
    const delay = this.retry.next()
    this.logger.debug({ retryInMs: delay }, 'bridge not reachable, will retry')
    this.schedule(delay, epoch)
  }

  private async attempt(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return
    // Never throws: a damaged store is rebuilt, an unwritable one kept in memory.
    this.store ??= this.opts.backend.openStore?.(this.profile, this.opts.stateDir, this.logger) ?? null
    const storedUrl = this.store?.treeAtMs != null ? (this.bridge.url ?? this.store.url) : null
    if (storedUrl !== null) return this.mountFromStore(epoch, storedUrl)
    let bridge
    try {
      bridge = await this.bridge.remote()
    } catch (err) {
      if (epoch === this.epoch) this.waitAndRetry(epoch, explainResolveError(err))
      return
    }
    const { probe, explained } = await this.bridge.check()
    if (epoch !== this.epoch) return
    if (!probe.ok) return this.waitAndRetry(epoch, explained)
    if (!(await this.mountCore(epoch, bridge))) return
    if (this.store) this.store.url = this.bridge.url
    this.setState('mounted', null)
    this.startHealth(epoch)
  }

  /** The stored tree, mounted before the bridge is probed, at the URL that
   *  served it last. The core's gate starts open: a bridge still loading
   *  refuses at the first request, which closes it. The first probe, right
   *  after and within this attempt, decides between mounted and degraded, so
   *  `mountctl mount` with the bridge up answers mounted. */
  private async mountFromStore(epoch: number, url: string): Promise<void> {
    if (!(await this.mountCore(epoch, this.bridge.remoteAt(url)))) return
    this.setState('degraded', null) // logged; status shows the tree's age
    await this.healthCheck(epoch)
    if (epoch === this.epoch && this.fs) this.startHealth(epoch)
  }

  /** Builds the core on the read path and mounts it; false when that failed
   *  (state failed) or a stop overtook it. */
  private async mountCore(epoch: number, bridge: Remote): Promise<boolean> {
    let mounted
    try {
      mounted = await mountProfile({
        profile: this.profile,
        backend: this.opts.backend,
        logger: this.logger,
        stateDir: this.opts.stateDir,
        bridge,
        store: this.store ?? undefined,
        onBridgeTrouble: err => this.onBridgeTrouble(epoch, err),
        onWrites: source => this.uploads.attach(source),
        onLost: handle => void this.lostMount(handle),
        closeFs: core => this.closeFs(core),
        outdated: () => epoch !== this.epoch,
      })
    } catch (err) {
      this.logger.error({ err }, 'mount failed')
      if (epoch === this.epoch) this.setState('failed', explainMountError(err, this.profile.mountpoint, this.profile.name))
      return false
    }
    if (!mounted) return false
    this.fs = mounted.fs
    this.handle = mounted.handle
    this.fs.setBridgeAvailable(true)
    return true
  }

  private startHealth(epoch: number): void {
    this.health = new HealthSchedule({
      cron: this.opts.cron ?? cronOn(this.opts.time),
      intervalMs: this.opts.healthIntervalMs,
      name: `megamount-health-${this.profile.name}`,
      check: () => this.run(() => this.healthCheck(epoch)),
    })
    this.health.start()
  }

  /** A request of the mount found the bridge refusing or hanging: probe now
   *  rather than at the next tick. A refused connection is certain, so the
   *  gate closes at once (later operations fail with EHOSTDOWN instead of
   *  each trying); a timeout may be one slow request on a live bridge, so
   *  the probe decides, without cutting off reads that are still moving. */
  private onBridgeTrouble(epoch: number, err: RemoteError): void {
    if (epoch !== this.epoch || !this.fs || !this.handle) return
    this.logger.debug({ err: err.message }, 'a request found the bridge unreachable: probing now')
    if (err.kind === 'bridge-down') this.fs.setBridgeAvailable(false)
    this.health?.tick()
  }

  private async healthCheck(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.fs) return
    const { probe, explained } = await this.bridge.check()
    if (epoch !== this.epoch || !this.fs) return
    this.fs.setBridgeAvailable(probe.ok)
    if (probe.ok && this.store) this.store.url = this.bridge.url
    if (probe.ok) this.setState('mounted', null)
    else this.setState('degraded', explained)
  }

  private closeStore(): void {
    this.store?.close()
    this.store = null
  }

  private async closeFs(fsCore: SupervisedFs | null): Promise<void> {
    if (!fsCore) return
    this.uploads.detach()
    try {
      await fsCore.close()
    } catch (err) {
      this.logger.warn({ err }, 'closing the filesystem core failed')
    }
  }

  private setState(state: MountState, error: Explained | null): void {
    const sameError = (error?.message ?? null) === (this.lastError?.message ?? null)
    if (state === this.stateValue && sameError) return
    const from = this.stateValue
    this.lastError = error
    if (state !== from) {
      this.stateValue = state
      this.sinceMs = this.opts.time.now()
    }
    const level = error ? 'warn' : 'info'
    this.logger[level]({ from, to: state, error: error?.message, hint: error?.hint }, `state ${state}`)
  }
}
