// What a mountctl command is. To add one: write commands/<name>.ts exporting
// a CliCommand and list it in commands/index.ts.
import type { ParseArgsConfig } from 'node:util'
import type { Env } from '../config/paths.js'
import type { CommandArgs, CommandName, CommandResults } from '../control/commands.js'

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  env: Env
  /** stdout is a terminal: progress is one line rewritten in place. */
  stdoutIsTty?: boolean
  /** Asks a yes/no question on the terminal; absent when there is none
   *  (commands that drop data then need --yes). */
  confirm?(question: string): Promise<boolean>
  /** Runs fn on Ctrl-C before mountctl exits; returns the un-registration. */
  onInterrupt?(fn: () => void): () => void
  /** How often a waiting command polls the daemon. Default 500 ms. */
  pollIntervalMs?: number
}

export interface CliContext {
  io: CliIo
  socketPath: string
  /** Sends one control request (see src/control/commands.ts); throws
   *  CommandFailed, DaemonNotRunningError or UnreadableReplyError. */
  request<C extends CommandName>(command: C, args: CommandArgs<C>, options?: { timeoutMs?: number }): Promise<CommandResults[C]>
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
