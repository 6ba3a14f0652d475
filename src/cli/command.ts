// What a mountctl command is. To add one: write commands/<name>.ts exporting
// a CliCommand and list it in commands/index.ts.
import type { ParseArgsConfig } from 'node:util'
import type { Env } from '../config/paths.js'
import type { ErrorBody } from '../control/protocol.js'

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  env: Env
}

/** The daemon answered the request with ok: false. */
export class CommandFailed extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message)
    this.name = 'CommandFailed'
  }
}

export interface CliContext {
  io: CliIo
  socketPath: string
  /** Sends one control request; throws CommandFailed or DaemonNotRunningError. */
  request(command: string, args?: Record<string, unknown>): Promise<unknown>
  /** The command's own options and positionals, parsed by parseArgs. */
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

export interface CliCommand {
  name: string
  /** One line for `mountctl --help`. */
  summary: string
  /** `mountctl <name> ...` and what it does, for `mountctl <name> --help`. */
  usage: string
  options?: ParseArgsConfig['options']
  positionals: { min: number; max: number }
  /** Returns the exit status. */
  run(ctx: CliContext): Promise<number>
}

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
export const EXIT_NOT_RUNNING = 3
