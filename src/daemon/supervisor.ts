// One profile's mount and its life: probe the bridge, mount when it answers,
// wait with capped backoff while it does not, then probe it periodically and
// move between mounted and degraded. A mount whose store holds a tree from an
// earlier run is mounted at once, degraded, without waiting for the bridge or
// MEGAcmd, and becomes mounted at the first probe that answers. Start, stop
// and the timers can interleave; every async step checks `epoch` (bumped by
// start and stop) so a step that outlived its start does nothing, and stop()
// awaits the step in flight so no mount is left behind.
import fs from 'node:fs/promises'
import { fsNameFor } from '../config/mountpoint-check.js'
import type { Profile } from '../config/types.js'
import { plainHttpWarning } from '../config/url-check.js'
import type { Logger } from '../log.js'
import type { Remote, RemoteError } from '../remote/remote.js'
import type { FsStats, MountBackend, MountHandle, SupervisedFs } from './backend.js'
import { fuseStatus, storeReport, storeStatus } from './mount-status-parts.js'
import type { HeldMount } from './mount-table-watch.js'
import { TroubleWatchingRemote } from './bridge-trouble.js'
import { checkBridge, explainResolveError, probeBridge, type BridgeCheck, type ProbeResult } from './bridge-probe.js'
import { explainMountError, type Explained } from './explain-error.js'
import type { MountState, MountStatus } from './mount-status.js'
import { MountUploads } from './mount-uploads.js'
import type { Scheduler, TimerHandle } from './scheduler.js'
import type { MountStore, MountStoreStats } from '../vfs/store/mount-store.js'
import { healthCronExpression, schedulerCron, type CronJob, type CronScheduler } from './health-cron.js'

export interface SupervisorOptions {
  profile: Profile
  backend: MountBackend
  scheduler: Scheduler
  logger: Logger
  stateDir: string
  /** Read at every scheduling, so a reload that changes it takes effect. */
  healthIntervalMs: () => number
  /** First retry delay while waiting for the bridge; doubles up to retryMaxMs. */
  retryInitialMs?: number
  retryMaxMs?: number
  /** Runs the periodic health check (node-cron in the daemon); default: cron
   *  on `scheduler`, so tests drive it with the same clock. */
  cron?: CronScheduler
}

export class MountSupervisor {
  readonly profile: Profile
  /** The mount's upload queue while mounted; what it left in the journal after. */
  readonly uploads: MountUploads
  private readonly backend: MountBackend
  private readonly scheduler: Scheduler
  private readonly logger: Logger
  private readonly opts: SupervisorOptions
  private stateValue: MountState = 'unmounted'
  private sinceMs: number
  private lastError: Explained | null = null
  private wanted: boolean
  private epoch = 0
  private timer: TimerHandle | null = null
  private retryDelayMs: number
  private inflight: Promise<void> = Promise.resolve()
  private probeAbort: AbortController | null = null
  private url: string | null
  private remote: Remote | null = null
  private fs: SupervisedFs | null = null
  private handle: MountHandle | null = null
  private store: MountStore | null = null
  private bridge: MountStatus['bridge'] = { reachable: null, latencyMs: null, checkedAt: null }
  private lastStats: FsStats | null = null
  private readonly cron: CronScheduler
  private healthJob: { job: CronJob; expression: string } | null = null
  private checking = false
  private warnedUrl: string | null = null

  constructor(options: SupervisorOptions) {
    this.opts = options
    this.profile = options.profile
    this.backend = options.backend
    this.scheduler = options.scheduler
    this.logger = options.logger.child({ component: 'supervisor', mount: options.profile.name })
    this.wanted = options.profile.autostart
    this.url = options.profile.url
    this.sinceMs = this.scheduler.now()
    this.retryDelayMs = options.retryInitialMs ?? 1_000
    this.cron = options.cron ?? schedulerCron(options.scheduler)
    this.uploads = new MountUploads(options.profile.name, this.logger, options.scheduler)
    this.warnAboutUrl()
  }

  /** Logs a URL's warning once (a megaPath profile learns its URL later,
   *  and may be given a new one). */
  private warnAboutUrl(): void {
    if (this.url === null || this.url === this.warnedUrl) return
    const warning = plainHttpWarning(this.url)
    if (!warning) return
    this.warnedUrl = this.url
    this.logger.warn({ url: this.url }, warning)
  }

  get state(): MountState {
    return this.stateValue
  }

  get isWanted(): boolean {
    return this.wanted
  }

  /** Mount now if the bridge answers, else keep trying. Resolves once the
   *  first attempt has ended (mounted, waiting or failed). */
  async start(): Promise<void> {
    this.wanted = true
    if (this.handle) return // already mounted or degraded
    this.cancel()
    const epoch = ++this.epoch
    this.retryDelayMs = this.opts.retryInitialMs ?? 1_000
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
      message: `unmounted from outside megamount (fusermount -u, umount or a file manager's eject) at ${new Date(this.scheduler.now()).toISOString()}`,
      hint: `mount it again: mountctl mount ${this.profile.name} (uploads left in the journal resume then)`,
    })
  }

  /** Resolves when the step in flight (attempt, probe, stop) has ended. */
  idle(): Promise<void> {
    return this.inflight
  }

  /** What the mount's store holds, emptied first when clear (`mountctl cache`). */
  storeReport(clear: boolean): MountStoreStats | null {
    return storeReport(this.fs, this.store, () => this.backend.openStore?.(this.profile, this.opts.stateDir, this.logger) ?? null, clear)
  }

  /** Forget cached metadata so the next access asks the bridge. */
  refresh(path?: string): void {
    if (!this.fs) throw new Error(`"${this.profile.name}" is not mounted`)
    this.fs.invalidate(path)
  }

  status(): MountStatus {
    try {
      if (this.fs) this.lastStats = this.fs.stats()
    } catch (err) {
      this.logger.warn({ err }, 'reading cache statistics failed')
    }
    const s = this.lastStats
    return {
      name: this.profile.name,
      mountpoint: this.profile.mountpoint,
      url: this.url,
      megaPath: this.profile.megaPath,
      state: this.stateValue,
      wanted: this.wanted,
      readOnly: this.profile.readOnly,
      since: new Date(this.sinceMs).toISOString(),
      bridge: { ...this.bridge },
      cache: { entries: s?.cacheEntries ?? 0, hitRate: s?.hitRate ?? 0, diskBytes: s?.diskCacheBytes ?? 0 },
      duplicateNames: s?.duplicateNames ?? 0,
      // A mount problem comes first; failed uploads are the next thing to fix.
      lastError: this.lastError ?? this.uploads.failure(),
      uploads: this.uploads.counts(),
      warnings: this.url === null ? [] : [plainHttpWarning(this.url)].filter(w => w !== null),
      fuse: fuseStatus(this.handle),
      ...storeStatus(this.fs ? s : null),
    }
  }

  private run(step: () => Promise<void>): Promise<void> {
    const p = this.inflight.catch(() => {}).then(step)
    this.inflight = p.catch(err => this.logger.error({ err }, 'supervisor step failed'))
    return this.inflight
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
    if (this.handle) return this.healthTick(this.epoch)
    if (this.stateValue !== 'waiting' || !this.wanted || !this.timer) return
    this.retryDelayMs = this.opts.retryInitialMs ?? 1_000
    this.schedule(0, this.epoch, e => this.attempt(e))
  }

  private cancel(): void {
    this.healthJob?.job.stop()
    this.healthJob = null
    this.scheduler.clearTimeout(this.timer)
    this.timer = null
    this.probeAbort?.abort(new Error('cancelled'))
    this.probeAbort = null
  }

  private schedule(delayMs: number, epoch: number, step: (epoch: number) => Promise<void>): void {
    this.scheduler.clearTimeout(this.timer)
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null
      if (epoch === this.epoch) void this.run(() => step(epoch))
    }, delayMs)
  }

  private async attempt(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return
    // Never throws: a damaged store is rebuilt, an unwritable one kept in memory.
    this.store ??= this.backend.openStore?.(this.profile, this.opts.stateDir, this.logger) ?? null
    if (this.store?.treeAtMs != null && (this.url ?? this.store.url) !== null) return this.mountFromStore(epoch)
    if (!this.remote) {
      try {
        this.url = await this.backend.resolveUrl(this.profile, this.logger)
        this.warnAboutUrl()
        this.remote = this.backend.createRemote(this.profile, this.url, this.logger)
      } catch (err) {
        if (epoch !== this.epoch) return
        this.setState('waiting', explainResolveError(err))
        this.scheduleRetry(epoch)
        return
      }
    }
    const { probe, explained } = await this.check()
    if (epoch !== this.epoch) return
    if (!probe.ok) {
      this.setState('waiting', explained)
      this.scheduleRetry(epoch)
      return
    }
    if (!(await this.mountFs(epoch))) return
    if (this.store) this.store.url = this.url
    this.setState('mounted', null)
    this.startHealthJob(epoch)
  }

  /** The stored tree, mounted before the bridge is probed (URL: the last that served). The gate
   *  starts open: a bridge still loading refuses at once, and closes it at the first request. */
  private async mountFromStore(epoch: number): Promise<void> {
    this.url ??= this.profile.url ?? this.store!.url
    this.remote ??= this.backend.createRemote(this.profile, this.url!, this.logger)
    if (!(await this.mountFs(epoch))) return
    this.setState('degraded', null) // logged, with the tree's age in status
    this.startHealthJob(epoch)
    this.checking = true
    await this.healthCheck(epoch).finally(() => (this.checking = false))
  }

  /** Creates the core and mounts it; false if that failed or a stop overtook it. */
  private async mountFs(epoch: number): Promise<boolean> {
    let fsCore: SupervisedFs | null = null
    try {
      await this.backend.cleanStaleMount(this.profile.mountpoint, this.logger)
      await fs.mkdir(this.profile.mountpoint, { recursive: true })
      fsCore = this.backend.createFs({
        remote: new TroubleWatchingRemote(this.remote!, err => this.onBridgeTrouble(epoch, err)),
        profile: this.profile,
        logger: this.logger,
        stateDir: this.opts.stateDir,
        onWrites: source => this.uploads.attach(source),
        store: this.store ?? undefined,
      })
      fsCore.setBridgeAvailable(true)
      let mounted: MountHandle | null = null
      const handle = await this.backend.mount(this.profile.mountpoint, fsCore, {
        logger: this.logger,
        readOnly: this.profile.readOnly,
        fsName: fsNameFor(this.profile.name),
        opTimeoutMs: this.profile.requestTimeoutMs * 2,
        // The kernel may keep names and attributes as long as the core keeps
        // listings: it is told of changes it cannot see (libfuse3).
        kernelTtlS: this.profile.cacheTtlMs / 1000,
        // libfuse3 sees its kernel connection end at once; the mount-table
        // watch (src/daemon/mount-table-watch.ts) covers fuse-native.
        onLost: () => void (mounted && this.lostMount(mounted)),
      })
      mounted = handle
      if (epoch !== this.epoch) {
        // stop() ran while mounting and is waiting for this step: undo.
        await handle.unmount()
        await this.closeFs(fsCore)
        return false
      }
      this.fs = fsCore
      this.handle = handle
      return true
    } catch (err) {
      this.logger.error({ err }, 'mount failed')
      await this.closeFs(fsCore)
      if (epoch === this.epoch) this.setState('failed', explainMountError(err, this.profile.mountpoint, this.profile.name))
      return false
    }
  }

  private closeStore(): void {
    this.store = (this.store?.close(), null)
  }

  private healthExpression(): string {
    return healthCronExpression(Math.max(1, Math.round(this.opts.healthIntervalMs() / 1000)))
  }

  private startHealthJob(epoch: number): void {
    const expression = this.healthExpression()
    this.healthJob?.job.stop()
    this.healthJob = { expression, job: this.cron.schedule(expression, () => this.healthTick(epoch), `megamount-health-${this.profile.name}`) }
  }

  /** One cron tick: skipped while the previous check still runs (a hung
   *  bridge holds a probe up to requestTimeoutMs), so checks never pile up. */
  private healthTick(epoch: number): void {
    if (epoch !== this.epoch || this.checking || !this.handle) return
    if (this.healthJob && this.healthJob.expression !== this.healthExpression()) this.startHealthJob(epoch) // changed in the file
    this.checking = true
    void this.run(() => this.healthCheck(epoch)).finally(() => {
      this.checking = false
    })
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
    this.healthTick(epoch)
  }

  private scheduleRetry(epoch: number): void {
    const delay = this.retryDelayMs
    // Capped at the health interval too: a bridge that appears is mounted
    // within one interval, as a dropped one is noticed within one.
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.opts.retryMaxMs ?? 30_000, this.opts.healthIntervalMs())
    this.logger.debug({ retryInMs: delay }, 'bridge not reachable, will retry')
    this.schedule(delay, epoch, e => this.attempt(e))
  }

  private async healthCheck(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.fs) return
    const { probe, explained } = await this.check()
    if (epoch !== this.epoch || !this.fs) return
    this.fs.setBridgeAvailable(probe.ok)
    if (probe.ok && this.store) this.store.url = this.url
    if (probe.ok) this.setState('mounted', null)
    else this.setState('degraded', explained)
  }

  /** Probes the root and, when it fails, says why (bridge-probe.ts). */
  private check(): Promise<BridgeCheck> {
    return checkBridge({
      profile: this.profile,
      backend: this.backend,
      logger: this.logger,
      url: () => this.url,
      setUrl: url => {
        this.url = url
        this.warnAboutUrl()
        ;(this.remote as Remote & { setUrl?(url: string): void }).setUrl?.(url)
      },
      probe: () => this.probe(),
    })
  }

  private async probe(): Promise<ProbeResult> {
    const abort = new AbortController()
    this.probeAbort = abort
    const result = await probeBridge(this.remote!, this.scheduler, this.profile.requestTimeoutMs, abort)
    if (this.probeAbort === abort) this.probeAbort = null
    const checkedAt = new Date(this.scheduler.now()).toISOString()
    this.bridge = result.ok ? { reachable: true, latencyMs: result.latencyMs, checkedAt } : { reachable: false, latencyMs: null, checkedAt }
    return result
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
      this.sinceMs = this.scheduler.now()
    }
    const level = error ? 'warn' : 'info'
    this.logger[level]({ from, to: state, error: error?.message, hint: error?.hint }, `state ${state}`)
  }
}
