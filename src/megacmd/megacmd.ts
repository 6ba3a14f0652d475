// The few MEGAcmd commands megamount uses, run as separate processes
// (mega-webdav, mega-whoami, mega-df) with argument arrays and a time bound.
// Every failure becomes a MegaCmdError whose kind says what to do.
import path from 'node:path'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import { classifyFailure } from './classify-failure.js'
import {
  CommandNotFoundError,
  CommandTimeoutError,
  execFileRunner,
  type CommandResult,
  type CommandRunner,
} from './command-runner.js'
import { MegaCmdError } from './errors.js'
import { normalizeMegaPath } from './mega-path.js'
import { parseDf, type MegaDf } from './parse-df.js'
import { parseServedLocations, parseServeOutput, type ServedLocation } from './parse-webdav.js'
import { parseWhoamiEmail, type WhoAmI } from './parse-whoami.js'

export interface MegaCmdOptions {
  /** Folder holding mega-webdav, mega-whoami, mega-df; null/undefined: search PATH. */
  megacmdPath?: string | null
  /** How commands are run; tests pass a fake. Default: execFile. */
  runner?: CommandRunner
  /** Bound on each command; a hung client is killed after this. Default:
   *  INTERNAL_DEFAULTS.megacmdTimeoutMs. */
  commandTimeoutMs?: number
  /** Environment for the commands. Default: this process's. */
  env?: NodeJS.ProcessEnv
}

export const FIX_INSTALL_MEGACMD = "MEGAcmd is not installed: install it from MEGA's site, or set settings.megacmdPath"

/** What MegaCmd offers; resolveMegaPath and the doctor take this, so tests can
 *  pass a plain object. */
export interface MegaCmdApi {
  servedLocations(): Promise<ServedLocation[]>
  serve(megaPath: string): Promise<string>
  unserve(megaPath: string): Promise<void>
  whoami(): Promise<WhoAmI>
  df(): Promise<MegaDf>
}

export class MegaCmd implements MegaCmdApi {
  readonly megacmdPath: string | null
  private readonly runner: CommandRunner
  private readonly commandTimeoutMs: number
  private readonly env: NodeJS.ProcessEnv | undefined

  constructor(options: MegaCmdOptions = {}) {
    this.megacmdPath = options.megacmdPath ?? null
    this.runner = options.runner ?? execFileRunner
    this.commandTimeoutMs = options.commandTimeoutMs ?? INTERNAL_DEFAULTS.megacmdTimeoutMs
    this.env = options.env
  }

  /** The file to execute for a command name such as 'mega-webdav'. */
  commandFile(name: string): string {
    return this.megacmdPath ? path.join(this.megacmdPath, name) : name
  }

  /** Runs a command; resolves with its result whatever the exit status. */
  private async run(name: string, args: string[]): Promise<CommandResult> {
    const file = this.commandFile(name)
    try {
      return await this.runner(file, args, { timeoutMs: this.commandTimeoutMs, ...(this.env ? { env: this.env } : {}) })
    } catch (err) {
      if (err instanceof CommandNotFoundError) {
        const where = this.megacmdPath ? `${file} does not exist` : `${name} is not on PATH`
        throw new MegaCmdError('megacmd-missing', `${where}. ${FIX_INSTALL_MEGACMD}`, {
          fix: FIX_INSTALL_MEGACMD,
          cause: err,
        })
      }
      if (err instanceof CommandTimeoutError) {
        throw new MegaCmdError(
          'timeout',
          `${name} did not answer within ${this.commandTimeoutMs} ms (MEGAcmd may still be starting or fetching the account)`,
          { fix: 'wait a minute and try again; if it persists, restart MEGAcmd (mega-quit, then mega-cmd-server)', cause: err },
        )
      }
      throw err
    }
  }

  private async runOk(name: string, args: string[]): Promise<CommandResult> {
    const result = await this.run(name, args)
    if (result.exitCode !== 0) throw classifyFailure([name, ...args].join(' '), result)
    return result
  }

  async servedLocations(): Promise<ServedLocation[]> {
    const result = await this.run('mega-webdav', [])
    // 'Webdav server might not running' and 'No webdav links found' are not
    // failures: nothing is served yet.
    if (result.exitCode !== 0 && !/No webdav links found|Webdav server might not running/i.test(result.stdout)) {
      throw classifyFailure('mega-webdav', result)
    }
    return parseServedLocations(result.stdout)
  }

  async serve(megaPath: string): Promise<string> {
    const normalized = normalizeMegaPath(megaPath)
    const result = await this.runOk('mega-webdav', [normalized])
    const url = parseServeOutput(result.stdout)
    if (!url) {
      throw new MegaCmdError(
        'unexpected-output',
        `mega-webdav ${normalized} printed no "Serving via webdav" line: ${result.stdout.trim() || '(no output)'}`,
      )
    }
    return url
  }

  async unserve(megaPath: string): Promise<void> {
    await this.runOk('mega-webdav', ['-d', normalizeMegaPath(megaPath)])
  }

  async whoami(): Promise<WhoAmI> {
    const result = await this.run('mega-whoami', [])
    const email = parseWhoamiEmail(result.stdout)
    if (result.exitCode === 0 && email) return { loggedIn: true, email }
    const failure = classifyFailure('mega-whoami', result)
    if (failure.kind === 'not-logged-in') return { loggedIn: false }
    throw failure
  }

  async df(): Promise<MegaDf> {
    const result = await this.runOk('mega-df', [])
    const df = parseDf(result.stdout)
    if (!df) {
      throw new MegaCmdError(
        'unexpected-output',
        `mega-df printed no byte counts on a "USED STORAGE:" line: ${result.stdout.trim().split('\n')[0] ?? ''}`,
      )
    }
    return df
  }
}
