// Runs external commands (mega-*, systemctl, launchctl, ldconfig) with an
// argument array, never through a shell, and always with a time bound: a
// MEGAcmd client can hang for minutes while its server starts, and nothing in
// megamount may wait on it forever. Injected everywhere so tests record the
// exact argument arrays instead of running anything.
import { execFile } from 'node:child_process'
import { INTERNAL_DEFAULTS } from '../config/types.js'

export interface CommandResult {
  stdout: string
  stderr: string
  /** Exit status; -1 when the process was killed by a signal. */
  exitCode: number
}

export interface RunOptions {
  /** Kill the command (SIGKILL) after this long. Default:
   *  INTERNAL_DEFAULTS.commandTimeoutMs. */
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

/** A finished command resolves, whatever its exit status; only "could not
 *  start" (CommandNotFoundError) and "did not finish" (CommandTimeoutError)
 *  reject. */
export type CommandRunner = (file: string, args: readonly string[], options?: RunOptions) => Promise<CommandResult>

export class CommandNotFoundError extends Error {
  readonly file: string
  constructor(file: string, options?: { cause?: unknown }) {
    super(`command not found: ${file}`, options)
    this.file = file
    this.name = 'CommandNotFoundError'
  }
}

export class CommandTimeoutError extends Error {
  readonly file: string
  readonly timeoutMs: number
  constructor(file: string, timeoutMs: number) {
    super(`${file} did not finish within ${timeoutMs} ms and was killed`)
    this.file = file
    this.timeoutMs = timeoutMs
    this.name = 'CommandTimeoutError'
  }
}

export const execFileRunner: CommandRunner = (file, args, options = {}) => {
  const timeoutMs = options.timeoutMs ?? INTERNAL_DEFAULTS.commandTimeoutMs
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, exitCode: 0 })
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown }
        if (e.code === 'ENOENT') return reject(new CommandNotFoundError(file, { cause: err }))
        if (e.killed && e.signal === 'SIGKILL') return reject(new CommandTimeoutError(file, timeoutMs))
        // Any other spawn failure (EACCES: not executable, ...) has a string code.
        if (typeof e.code === 'string') return reject(err)
        const exitCode = typeof e.code === 'number' ? e.code : -1
        resolve({ stdout, stderr, exitCode })
      },
    )
  })
}
