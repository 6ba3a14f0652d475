// One profile's mount and its life: probe the bridge, mount when it answers,
// wait with capped backoff while it does not, then probe it periodically and
// move between mounted and degraded. Start, stop and the timers can
// interleave; every async step checks `epoch` (bumped by start and stop) so a
// step that outlived its start does nothing, and stop() awaits the step in
// flight so no mount is left behind.
import fs from 'node:fs/promises'
import { fsNameFor } from '../config/mountpoint-check.js'
import { INTERNAL_DEFAULTS, type Profile } from '../config/types.js'
import type { Logger } from '../log.js'
import { RemoteError, type Remote } from '../remote/remote.js'
import type { MountBackend, MountHandle, SupervisedFs } from './backend.js'
import { TroubleWatchingRemote } from './bridge-trouble.js'
import { explainBridgeError, explainMountError, type Explained } from './explain-error.js'
import type { MountState, MountStatus } from '../control/wire-types.js'
import { MountUploads } from './mount-uploads.js'
import type { Time, TimerHandle } from '../clock.js'
import { cronOn, type Cron, type CronJob } from '../cron.js'
import { healthCronExpression } from './health-cron.js'

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
  /** Runs the periodic health check (node-cron in the daemon); default: cron
   *  on `time`, so tests drive it with the same clock. */
  cron?: Cron
}

type ProbeResult = { ok: true; latencyMs: number } | { ok: false; error: unknown }

export class MountSupervisor {
  readonly profile: Profile
  /** The mount's upload queue while mounted; what it left in the journal after. */
  readonly uploads: MountUploads
  private readonly backend: MountBackend
  private readonly time: Time
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
  private bridge: MountStatus['bridge'] = { reachable: null, latencyMs: null, checkedAt: null }
  private lastStats = { entries: 0, hitRate: 0, duplicateNames: 0, diskBytes: 0 }
  private readonly cron: Cron
  private healthJob: { job: CronJob; expression: string } | null = null
  private checking = false

  constructor(options: SupervisorOptions) {
    this.opts = options
    this.profile = options.profile
    this.backend = options.backend
    this.time = options.time
    this.logger = options.logger.child({ component: 'supervisor', mount: options.profile.name })
    this.wanted = options.profile.autostart
    this.url = options.profile.url
    this.sinceMs = this.time.now()
    this.retryDelayMs = options.retryInitialMs ?? INTERNAL_DEFAULTS.mountRetryInitialMs
    this.cron = options.cron ?? cronOn(options.time)
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

  /** Mount now if the bridge answers, else keep trying. Resolves once the
   *  first attempt has ended (mounted, waiting or failed). */
  async start(): Promise<void> {
    this.wanted = true
    if (this.handle) return // already mounted or degraded
    this.cancel()
    const epoch = ++this.epoch
    this.retryDelayMs = this.opts.retryInitialMs ?? INTERNAL_DEFAULTS.mountRetryInitialMs
    this.setState('waiting', this.lastError)
    await this.run(() => this.attempt(epoch))
  }

  /** Unmount and stop every timer; the supervisor can be started again. */
  async stop(reason = 'stop'): Promise<void> {
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
        this.logger.error({ err }, 'unmount failed')
        this.setState('failed', {
          message: `unmounting ${this.profile.mountpoint} failed: ${(err as Error).message}`,
          hint: `close programs using the folder (lsof +D "${this.profile.mountpoint}"), then run: mountctl unmount ${this.profile.name}`,
        })
        await this.closeFs(fsCore)
        return
      }
    }
    await this.closeFs(fsCore)
    this.setState('unmounted', null)
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

  status(): MountStatus {
    if (this.fs) {
      try {
        const s = this.fs.stats()
        this.lastStats = { entries: s.cacheEntries, hitRate: s.hitRate, duplicateNames: s.duplicateNames, diskBytes: s.diskCacheBytes }
      } catch (err) {
        this.logger.warn({ err }, 'reading cache statistics failed')
      }
    }
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
      cache: { entries: this.lastStats.entries, hitRate: this.lastStats.hitRate, diskBytes: this.lastStats.diskBytes },
      duplicateNames: this.lastStats.duplicateNames,
      // A mount problem comes first; failed uploads are the next thing to fix.
      lastError: this.lastError ?? this.uploads.failure(),
      uploads: this.uploads.counts(),
      fuse: this.fuseStatus(),
    }
  }

  private fuseStatus(): MountStatus['fuse'] {
    const h = this.handle
    if (!h?.backend) return undefined
    return { backend: h.backend, why: h.backendWhy ?? '', fix: h.backendFix ?? null, kernel: h.kernelStats?.() ?? null }
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
    this.retryDelayMs = this.opts.retryInitialMs ?? INTERNAL_DEFAULTS.mountRetryInitialMs
    this.schedule(0, this.epoch, e => this.attempt(e))
  }

  private cancel(): void {
    this.healthJob?.job.stop()
    this.healthJob = null
    this.timer?.cancel()
    this.timer = null
    this.probeAbort?.abort(new Error('cancelled'))
    this.probeAbort = null
  }

  private schedule(delayMs: number, epoch: number, step: (epoch: number) => Promise<void>): void {
    this.timer?.cancel()
    this.timer = this.time.setTimeout(() => {
      this.timer = null
      if (epoch === this.epoch) void this.run(() => step(epoch))
    }, delayMs)
  }

  private async attempt(epoch: number): Promise<void> {
    if (epoch !== this.epoch) return
    if (!this.remote) {
      try {
        this.url = await this.backend.resolveUrl(this.profile, this.logger)
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
    let fsCore: SupervisedFs | null = null
    try {
      await this.backend.cleanStaleMount(this.profile.mountpoint, this.logger)
      await fs.mkdir(this.profile.mountpoint, { recursive: true })
      fsCore = this.backend.createFs({
        remote: new TroubleWatchingRemote(this.remote, err => this.onBridgeTrouble(epoch, err)),
        profile: this.profile,
        logger: this.logger,
        stateDir: this.opts.stateDir,
        onWrites: source => this.uploads.attach(source),
      })
      const handle = await this.backend.mount(this.profile.mountpoint, fsCore, {
        logger: this.logger,
        readOnly: this.profile.readOnly,
        fsName: fsNameFor(this.profile.name),
        opTimeoutMs: this.profile.requestTimeoutMs * 2,
        // The kernel may keep names and attributes as long as the core keeps
        // listings: it is told of changes it cannot see (libfuse3).
        kernelTtlS: this.profile.cacheTtlMs / 1000,
      })
      if (epoch !== this.epoch) {
        // stop() ran while mounting and is waiting for this step: undo.
        await handle.unmount()
        await this.closeFs(fsCore)
        return
      }
      this.fs = fsCore
      this.handle = handle
    } catch (err) {
      this.logger.error({ err }, 'mount failed')
      await this.closeFs(fsCore)
      if (epoch === this.epoch) this.setState('failed', explainMountError(err, this.profile.mountpoint, this.profile.name))
      return
    }
    this.fs.setBridgeAvailable(true)
    this.setState('mounted', null)
    this.startHealthJob(epoch)
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
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.opts.retryMaxMs ?? INTERNAL_DEFAULTS.mountRetryMaxMs, this.opts.healthIntervalMs())
    this.logger.debug({ retryInMs: delay }, 'bridge not reachable, will retry')
    this.schedule(delay, epoch, e => this.attempt(e))
  }

  private async healthCheck(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.fs) return
    const { probe, explained } = await this.check()
    if (epoch !== this.epoch || !this.fs) return
    this.fs.setBridgeAvailable(probe.ok)
    if (probe.ok) this.setState('mounted', null)
    else this.setState('degraded', explained)
  }

  /** Probes the root and, when it fails, says why for status. A renamed
   *  folder changes its bridge URL: a megaPath profile asks MEGAcmd for the
   *  new one (by the folder's handle) and probes that at once. */
  private async check(): Promise<{ probe: ProbeResult; explained: Explained }> {
    let probe = await this.probe()
    // 404 on the root: logged out, renamed or no longer served; 403: the
    // bridge knows the handle but no longer serves it (mega-webdav -d).
    const gone = !probe.ok && probe.error instanceof RemoteError && (probe.error.kind === 'root-missing' || probe.error.kind === 'forbidden')
    if (probe.ok || !gone) {
      return { probe, explained: probe.ok ? { message: '', hint: '' } : explainBridgeError(probe.error, this.url, this.profile.requestTimeoutMs) }
    }
    // MEGAcmd tells which; a megaPath profile also gets its (new) URL from
    // it, and resolving serves the folder again when it was dropped.
    if (this.profile.megaPath) {
      try {
        const url = await this.backend.resolveUrl(this.profile, this.logger, this.url)
        if (url !== this.url) {
          this.logger.info({ from: this.url, to: url }, 'served folder has a new URL')
          this.url = url
          ;(this.remote as Remote & { setUrl?(url: string): void }).setUrl?.(url)
        }
        probe = await this.probe()
        if (probe.ok) return { probe, explained: { message: '', hint: '' } }
      } catch (err) {
        return { probe, explained: explainResolveError(err) }
      }
    }
    const generic = explainBridgeError(probe.error, this.url, this.profile.requestTimeoutMs)
    try {
      return { probe, explained: (await this.backend.explainRootMissing?.(this.profile, this.url, this.logger)) ?? generic }
    } catch (err) {
      this.logger.debug({ err }, 'asking why the root is missing failed')
      return { probe, explained: generic }
    }
  }

  /** stat('/') of the served folder, bounded by requestTimeoutMs on our own
   *  clock too, so a hung bridge ends as a timeout even if the remote hangs. */
  private probe(): Promise<ProbeResult> {
    const remote = this.remote!
    const abort = new AbortController()
    this.probeAbort = abort
    const started = this.time.now()
    return new Promise<ProbeResult>(resolve => {
      let done = false
      const finish = (r: ProbeResult) => {
        if (done) return
        done = true
        timeout.cancel()
        if (this.probeAbort === abort) this.probeAbort = null
        const checkedAt = new Date(this.time.now()).toISOString()
        this.bridge = r.ok ? { reachable: true, latencyMs: r.latencyMs, checkedAt } : { reachable: false, latencyMs: null, checkedAt }
        resolve(r)
      }
      const timeout = this.time.setTimeout(() => {
        finish({ ok: false, error: new RemoteError('timeout', `no answer within ${this.profile.requestTimeoutMs} ms`) })
        abort.abort(new Error('probe timed out'))
      }, this.profile.requestTimeoutMs)
      abort.signal.addEventListener('abort', () => finish({ ok: false, error: abort.signal.reason }), { once: true })
      remote.stat('/', { signal: abort.signal }).then(
        () => finish({ ok: true, latencyMs: this.time.now() - started }),
        error => finish({ ok: false, error }),
      )
    })
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
      this.sinceMs = this.time.now()
    }
    const level = error ? 'warn' : 'info'
    this.logger[level]({ from, to: state, error: error?.message, hint: error?.hint }, `state ${state}`)
  }
}

function explainResolveError(err: unknown): Explained {
  const hint = (err as { hint?: unknown }).hint
  return {
    message: err instanceof Error ? err.message : String(err),
    hint: typeof hint === 'string' ? hint : 'use "url" with the URL that `mega-webdav /Folder` prints',
  }
}
