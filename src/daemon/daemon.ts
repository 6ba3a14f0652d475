// The daemon: profiles from the file, one MountSupervisor each, the control
// socket, reload and an ordered, idempotent stop. Signals and process exit
// belong to the entry point (src/bin/megamountd.ts), not here.
import { loadConfig, type LoadedConfig, type RejectedProfile } from '../config/load.js'
import type { DaemonSettings, Profile } from '../config/types.js'
import { INTERNAL_DEFAULTS, SETTINGS_DEFAULTS } from '../config/types.js'
import { ControlError } from '../control/protocol.js'
import { ControlServer } from '../control/server.js'
import type { Logger } from '../log.js'
import os from 'node:os'
import type { Clock, Time } from '../clock.js'
import type { Cron } from '../cron.js'
import type { MountBackend } from './backend.js'
import { brokenEntryFor } from './broken-edits.js'
import type { Explained } from './explain-error.js'
import { ProfileWatcher, type WatchFolder } from './profile-watcher.js'
import { MountTableWatch } from './mount-table-watch.js'
import { makeStateDirPrivate } from './state-dir.js'
import { SuspendDetector } from './suspend-detector.js'
import type { CacheReport, MountStatus, ReloadSummary, StatusReport, UploadItem } from '../control/wire-types.js'
import { rejectedStatus } from './mount-status.js'
import { controlHandlers } from './control-handlers.js'
import { MountSupervisor } from './supervisor.js'
import { reducerForMounts, type IdleReducer, type MemoryReducerHooks } from './idle-reducer.js'

export interface DaemonOptions {
  configFile: string
  socketPath: string
  stateDir: string
  backend: MountBackend
  /** Timers and the clock of retries, probes, debounce and suspend checks. */
  time: Time
  logger: Logger
  version: string
  retryInitialMs?: number
  retryMaxMs?: number
  /** At stop, how long uploads may still run before they are stopped (what
   *  is left stays in the journal). Default DEFAULT_STOP_TIMEOUT_MS. */
  stopTimeoutMs?: number
  /** Runs the periodic health checks: systemCron in megamountd (main.ts);
   *  default: cron on `time`, so tests drive it. */
  cron?: Cron
  /** Suspend/resume detection compares these; defaults monotonicClock and
   *  systemClock (src/clock.ts). */
  monotonicClock?: Clock
  wallClock?: Clock
  /** Apply edits of the profile file by themselves, as SIGHUP does (megamountd
   *  turns it on; a WatchFolder replaces fs.watch in tests). Default off. */
  watchProfileFile?: boolean | WatchFolder
  /** Quiet time after an edit before the file is applied. Default:
   *  INTERNAL_DEFAULTS.profileDebounceMs. */
  profileDebounceMs?: number
  /** Gives memory back when the mounts go quiet after a burst (the libfuse 3
   *  addon's reduceMemory, see idle-reducer.ts); absent: never. rssBytes
   *  defaults to the process's own. */
  memoryReducer?: MemoryReducerHooks
}

export const DEFAULT_STOP_TIMEOUT_MS = INTERNAL_DEFAULTS.stopTimeoutSeconds * 1000

export interface UnmountOptions {
  /** Unmount at once; queued uploads stay in the journal for the next mount. */
  force?: boolean
  /** The client went away: stop waiting, stay mounted. */
  signal?: AbortSignal
}

export class Daemon {
  private readonly logger: Logger
  private readonly supervisors = new Map<string, MountSupervisor>()
  private rejected: RejectedProfile[] = []
  /** Running profiles whose entry in the file is now broken: kept as they were. */
  private readonly profileErrors = new Map<string, Explained>()
  /** The file as a whole could not be applied at the last reload. */
  private profileFileError: Explained | null = null
  private settings: DaemonSettings = { ...SETTINGS_DEFAULTS }
  private server: ControlServer | null = null
  private reloading: Promise<unknown> = Promise.resolve()
  private stopping: Promise<void> | null = null
  private readonly startedAt: string
  private suspend: SuspendDetector | null = null
  private watcher: ProfileWatcher | null = null
  private startup: Promise<unknown> = Promise.resolve()
  private tableWatch: MountTableWatch | null = null
  private reducer: IdleReducer | null = null

  constructor(private readonly opts: DaemonOptions) {
    this.logger = opts.logger.child({ component: 'daemon' })
    this.startedAt = new Date(opts.time.now()).toISOString()
  }

  /** Reads the file (a file that is not valid JSON throws ConfigError), takes
   *  the control socket (refused when another daemon has it), then starts
   *  every autostart profile without waiting for the bridges. */
  async start(): Promise<void> {
    const config = await this.load()
    await makeStateDirPrivate(this.opts.stateDir, this.logger)
    this.server = new ControlServer(this.opts.socketPath, controlHandlers(this), this.opts.logger, { time: this.opts.time })
    await this.server.listen()
    this.startup = Promise.all(this.apply(config))
    this.suspend = new SuspendDetector({
      time: this.opts.time,
      ...(this.opts.monotonicClock ? { monotonicClock: this.opts.monotonicClock } : {}),
      ...(this.opts.wallClock ? { wallClock: this.opts.wallClock } : {}),
      onResume: gapMs => this.onResume(gapMs),
    })
    this.suspend.start()
    const backend = this.opts.backend
    if (backend.readMountTable) {
      this.tableWatch = new MountTableWatch({
        time: this.opts.time,
        logger: this.opts.logger,
        readTable: () => backend.readMountTable!(),
        held: () => [...this.supervisors.values()].flatMap(s => s.heldMount() ?? []),
      })
      this.tableWatch.start()
    }
    const memory = this.opts.memoryReducer
    if (memory) {
      this.reducer = reducerForMounts(() => this.supervisors.values(), memory, { time: this.opts.time, logger: this.logger })
      this.reducer.start()
    }
    const watch = this.opts.watchProfileFile
    if (watch) {
      this.watcher = new ProfileWatcher({
        file: this.opts.configFile,
        time: this.opts.time,
        logger: this.opts.logger,
        reload: () => this.reload(),
        ...(this.opts.profileDebounceMs !== undefined ? { debounceMs: this.opts.profileDebounceMs } : {}),
        ...(typeof watch === 'function' ? { watch } : {}),
      })
      await this.watcher.start()
    }
  }

  /** After a suspend the bridges may have gone and come back, or not: check
   *  every mount now rather than at its next scheduled check. */
  private onResume(gapMs: number): void {
    if (this.stopping) return
    this.logger.info({ gapMs: Math.round(gapMs) }, 'the wall clock jumped (suspend/resume?): checking every mount now')
    for (const sup of this.supervisors.values()) sup.checkNow()
  }

  /** Resolves once every autostart profile's first attempt after start()
   *  has ended: mounted, waiting for its bridge, or failed (readiness for
   *  systemd, see main.ts). */
  async started(): Promise<void> {
    await this.startup
  }

  /** Settings of the file as last loaded. */
  get currentSettings(): DaemonSettings {
    return this.settings
  }

  /** Resolves when every supervisor's step in flight has ended (for tests and the demo). */
  async idle(): Promise<void> {
    await this.reloading.catch(() => {})
    await Promise.all([...this.supervisors.values()].map(s => s.idle()))
  }

  status(): StatusReport {
    const mounts: MountStatus[] = [...this.supervisors.values()].map(s => ({ ...s.status(), profileError: this.profileErrors.get(s.profile.name) ?? null }))
    for (const r of this.rejected) mounts.push(rejectedStatus(r, this.startedAt))
    return {
      daemon: { pid: process.pid, configFile: this.opts.configFile, startedAt: this.startedAt, version: this.opts.version, profileFileError: this.profileFileError, idleMemoryReducer: this.reducer?.stats() ?? null },
      mounts,
    }
  }

  get version(): string {
    return this.opts.version
  }

  /** The FUSE binding serving each mount; null where it is not mounted. */
  fuseBackends(): { name: string; backend: string | null }[] {
    return [...this.supervisors.values()].map(s => ({ name: s.profile.name, backend: s.fuseBackend }))
  }

  async mount(name: string): Promise<MountStatus> {
    const sup = this.find(name)
    // A mount removed from outside in the last seconds is noticed first,
    // so it is mounted again rather than taken for mounted.
    await this.tableWatch?.checkNow()
    await sup.start()
    return sup.status()
  }

  /** Waits until the mount's uploads are done (the mount stays mounted and
   *  writable meanwhile, and new writes are waited for too), then unmounts.
   *  Refused while an upload has failed, unless force. */
  async unmount(name: string, options: UnmountOptions = {}): Promise<MountStatus> {
    const sup = this.find(name)
    await this.tableWatch?.checkNow() // already unmounted from outside: nothing to fail on
    if (!options.force && sup.uploads.attached) {
      this.refuseWithFailedUploads(name, sup)
      const outcome = await sup.uploads.waitUntilUploaded({ signal: options.signal, forUnmount: true })
      if (outcome === 'aborted') {
        this.logger.info({ mount: name }, 'unmount cancelled: mountctl went away before the uploads were done; staying mounted')
        throw new ControlError(`unmount of "${name}" cancelled: still mounted, uploads go on`)
      }
      if (outcome === 'uploaded') this.refuseWithFailedUploads(name, sup)
    }
    await sup.stop(options.force ? 'mountctl unmount --force' : 'mountctl unmount')
    return sup.status()
  }

  /** Every file of the upload queues (of one mount when name is given). */
  uploads(name?: string): UploadItem[] {
    const sups = name === undefined ? [...this.supervisors.values()] : [this.find(name)]
    return sups.flatMap(s => s.uploads.items())
  }

  async retryUploads(name: string, path?: string): Promise<{ retried: number }> {
    const sup = this.find(name)
    // The queue logs the retry.
    return { retried: await sup.uploads.retry(path === undefined ? undefined : this.pathInMount(sup, path)) }
  }

  discardUpload(name: string, path: string, options: { dryRun?: boolean } = {}): Promise<{ item: UploadItem; discarded: boolean }> {
    const sup = this.find(name)
    return sup.uploads.discard(this.pathInMount(sup, path), options)
  }

  refresh(name: string, path?: string): MountStatus {
    const sup = this.find(name)
    if (sup.state !== 'mounted' && sup.state !== 'degraded') {
      throw new ControlError(`"${name}" is ${sup.state}, not mounted: there is no cache to refresh`, `mount it first: mountctl mount ${name}`)
    }
    sup.refresh(path)
    this.logger.info({ mount: name, path: path ?? '/' }, 'cache refreshed')
    return sup.status()
  }

  /** What the mount keeps on disk (`mountctl cache`), emptied first with
   *  clear, also while mounted. */
  cache(name: string, options: { clear?: boolean } = {}): CacheReport {
    return this.find(name).cacheReport(options.clear ?? false)
  }

  /** Re-reads the file: added profiles start, removed ones stop, changed ones
   *  restart, the rest are untouched. A file that cannot be read changes nothing. */
  reload(): Promise<ReloadSummary> {
    const run = this.reloading.catch(() => {}).then(() => this.reloadNow())
    this.reloading = run
    return run
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopNow()
    return this.stopping
  }

  private async reloadNow(): Promise<ReloadSummary> {
    if (this.stopping) throw new ControlError('the daemon is stopping')
    let config: LoadedConfig
    try {
      config = await this.load()
    } catch (err) {
      const hint = (err as { hint?: string }).hint
      this.profileFileError = { message: (err as Error).message, hint: hint ?? `fix ${this.opts.configFile}; nothing was changed` }
      this.logger.error({ err: (err as Error).message, hint }, 'reload refused: the file is broken, nothing was changed')
      throw err
    }
    this.profileFileError = null
    const summary: ReloadSummary = { added: [], removed: [], changed: [], unchanged: [], failed: config.rejected.map(r => r.name ?? `mounts[${r.index}]`) }
    const next = new Map(config.mounts.map(p => [p.name, p]))
    const stops: Promise<void>[] = []
    const absorbed = new Set<RejectedProfile>()
    this.profileErrors.clear()
    for (const [name, sup] of this.supervisors) {
      const profile = next.get(name)
      const broken = profile ? null : brokenEntryFor(sup.profile, config.rejected, os.homedir())
      if (broken) {
        if (broken.absorbed) absorbed.add(broken.absorbed)
        this.profileErrors.set(name, broken.error)
        this.logger.warn({ mount: name, error: broken.error.message, hint: broken.error.hint }, 'profile invalid in the file: kept as it was (mounted if it was) until the file is fixed')
      } else if (!profile) {
        summary.removed.push(name)
        this.supervisors.delete(name)
        stops.push(sup.stop('removed from the file'))
      } else if (JSON.stringify(profile) !== JSON.stringify(sup.profile)) {
        summary.changed.push(name)
        this.supervisors.delete(name)
        stops.push(sup.stop('changed in the file'))
      } else {
        summary.unchanged.push(name)
        next.delete(name)
      }
    }
    await Promise.all(stops)
    for (const name of next.keys()) if (!summary.changed.includes(name)) summary.added.push(name)
    this.apply({ ...config, mounts: [...next.values()], rejected: config.rejected.filter(r => !absorbed.has(r)) }, true)
    this.logger.info(summary, 'reloaded')
    return summary
  }

  private async load(): Promise<LoadedConfig> {
    const own = new Set([...this.supervisors.values()].map(s => s.profile.mountpoint))
    const config = await loadConfig(this.opts.configFile, { ownMountpoints: own })
    if (config.missing) {
      this.logger.warn({ file: this.opts.configFile }, 'no profile file yet: running with no mounts; create it (see mounts.example.json) and run mountctl reload')
    }
    for (const r of config.rejected) this.logger.error({ error: r.error.message, hint: r.error.hint }, 'profile rejected')
    return config
  }

  /** Starts supervisors for `config.mounts` (all new), replaces the rejected
   *  list; returns the autostart ones' first attempts. */
  private apply(config: LoadedConfig, keepExisting = false): Promise<void>[] {
    this.settings = config.settings
    this.rejected = config.rejected
    if (!keepExisting) this.supervisors.clear()
    const starts: Promise<void>[] = []
    for (const profile of config.mounts) {
      const sup = this.createSupervisor(profile)
      this.supervisors.set(profile.name, sup)
      if (profile.autostart) starts.push(sup.start())
    }
    return starts
  }

  private createSupervisor(profile: Profile): MountSupervisor {
    return new MountSupervisor({
      profile,
      backend: this.opts.backend,
      time: this.opts.time,
      logger: this.opts.logger,
      stateDir: this.opts.stateDir,
      healthIntervalMs: () => this.settings.healthIntervalSeconds * 1000,
      retryInitialMs: this.opts.retryInitialMs,
      retryMaxMs: this.opts.retryMaxMs,
      ...(this.opts.cron ? { cron: this.opts.cron } : {}),
    })
  }

  private refuseWithFailedUploads(name: string, sup: MountSupervisor): void {
    const failed = sup.uploads.counts().failed
    if (failed === 0) return
    throw new ControlError(
      `"${name}" has ${failed} failed upload${failed > 1 ? 's' : ''} (data not on MEGA yet): not unmounting`,
      `see them: mountctl uploads ${name}; then mountctl retry ${name}, or mountctl discard ${name} PATH; or unmount anyway, keeping them staged for the next mount: mountctl unmount --force ${name}`,
    )
  }

  /** A path inside the mount ('/a/b.txt'), also given as the local path
   *  under its mountpoint or relative to the mount root. */
  private pathInMount(sup: MountSupervisor, p: string): string {
    const mp = sup.profile.mountpoint
    if (p === mp) return '/'
    if (p.startsWith(mp + '/')) return p.slice(mp.length)
    return p.startsWith('/') ? p : '/' + p
  }

  private find(name: string): MountSupervisor {
    const sup = this.supervisors.get(name)
    if (sup) return sup
    const rejected = this.rejected.find(r => r.name === name)
    if (rejected) throw new ControlError(rejected.error.message, rejected.error.hint)
    const known = [...this.supervisors.keys()]
    throw new ControlError(
      `no profile named "${name}"${known.length ? ` (known: ${known.join(', ')})` : ''}`,
      `add it to ${this.opts.configFile} and run: mountctl reload`,
    )
  }

  private async stopNow(): Promise<void> {
    this.logger.info('stopping')
    await this.server?.close()
    this.logger.info('control socket closed')
    this.watcher?.stop()
    this.suspend?.stop()
    this.tableWatch?.stop()
    this.reducer?.stop()
    await this.reloading.catch(() => {})
    const sups = [...this.supervisors.values()]
    for (const s of sups) s.cancelTimers()
    this.logger.info('health checks and retries stopped')
    await this.finishUploads(sups)
    await Promise.all(sups.map(s => s.stop('daemon stopping')))
    this.logger.info({ count: sups.length }, 'mounts unmounted, caches closed')
    this.logger.info('stopped')
  }

  /** Gives uploads in flight (and ready ones) a bounded time; the rest stays
   *  in the journal (each mount logs what) and resumes at the next start. */
  private async finishUploads(sups: MountSupervisor[]): Promise<void> {
    const busy = sups.filter(s => {
      const c = s.uploads.counts()
      return s.uploads.attached && c.queued + c.uploading > 0
    })
    if (busy.length === 0) return
    const timeoutMs = this.opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS
    this.logger.info({ mounts: busy.map(s => s.profile.name), timeoutMs }, 'waiting for uploads before unmounting')
    const outcomes = await Promise.all(busy.map(s => s.uploads.waitUntilUploaded({ timeoutMs })))
    if (outcomes.every(o => o === 'uploaded')) this.logger.info('uploads done')
    else this.logger.warn({ timeoutMs }, 'uploads not done in time: stopping them, they stay in the journal')
  }
}
