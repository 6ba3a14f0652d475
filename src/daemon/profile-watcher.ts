// Applies edits of the profile file by itself, as SIGHUP does. The folder is
// watched, not the file: editors save by writing a new file and renaming it
// over the old one, which ends a watch on the file itself. Events come in
// bursts (write, chmod, rename), so a reload waits until the folder has been
// quiet for debounceMs, and only runs when the content really changed. A
// broken edit is refused by the reload, which logs why and changes nothing.
import { watch as fsWatch } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import type { Logger } from '../log.js'
import type { Time, TimerHandle } from '../clock.js'

export type WatchFolder = (folder: string, onChange: (fileName: string | null) => void, onError: (err: Error) => void) => { close(): void }

export const watchFolder: WatchFolder = (folder, onChange, onError) => {
  const watcher = fsWatch(folder, { persistent: false }, (_event, fileName) => onChange(fileName === null ? null : String(fileName)))
  watcher.on('error', onError)
  return watcher
}

export interface ProfileWatcherOptions {
  file: string
  time: Time
  logger: Logger
  /** Re-read and apply the file (Daemon.reload). */
  reload(): Promise<unknown>
  /** Quiet time after the last event before reading the file. Default:
   *  INTERNAL_DEFAULTS.profileDebounceMs. */
  debounceMs?: number
  watch?: WatchFolder
}

export class ProfileWatcher {
  private watcher: { close(): void } | null = null
  private timer: TimerHandle | null = null
  private lastText: string | null = null
  private readonly logger: Logger
  private checking: Promise<void> = Promise.resolve()

  constructor(private readonly opts: ProfileWatcherOptions) {
    this.logger = opts.logger.child({ component: 'profile-watcher' })
  }

  /** Starts watching; the content now is the one already applied. A folder
   *  that cannot be watched is logged: SIGHUP and mountctl reload still work. */
  async start(): Promise<void> {
    const folder = path.dirname(this.opts.file)
    this.lastText = await readOrNull(this.opts.file)
    try {
      await fs.mkdir(folder, { recursive: true })
      this.watcher = (this.opts.watch ?? watchFolder)(folder, name => this.onEvent(name), err => this.onWatchError(err))
      this.logger.debug({ folder }, 'watching the profile file')
    } catch (err) {
      this.onWatchError(err as Error)
    }
  }

  stop(): void {
    this.watcher?.close()
    this.watcher = null
    this.timer?.cancel()
    this.timer = null
  }

  /** Resolves when a check in progress has ended (tests). */
  idle(): Promise<void> {
    return this.checking
  }

  private onEvent(fileName: string | null): void {
    // null: the platform did not say which file; check ours anyway.
    if (fileName !== null && fileName !== path.basename(this.opts.file)) return
    this.timer?.cancel()
    this.timer = this.opts.time.setTimeout(() => {
      this.timer = null
      this.checking = this.checking.then(() => this.check())
    }, this.opts.debounceMs ?? INTERNAL_DEFAULTS.profileDebounceMs)
  }

  private async check(): Promise<void> {
    const text = await readOrNull(this.opts.file)
    if (text === this.lastText) return
    this.lastText = text
    this.logger.info({ file: this.opts.file }, text === null ? 'profile file removed: applying' : 'profile file changed: applying')
    // The reload logs its own outcome, a refused broken file included.
    await this.opts.reload().catch(() => {})
  }

  private onWatchError(err: Error): void {
    this.logger.warn({ err: err.message, folder: path.dirname(this.opts.file) }, 'cannot watch the profile file: edits apply with mountctl reload or SIGHUP')
    this.watcher?.close()
    this.watcher = null
  }
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch {
    return null
  }
}
