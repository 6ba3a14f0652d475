import { nodeName, megaPathToLocal, normalizeMegaPath } from '../mega-path.js'
import { nodeHandle } from '../node-handle.js'
import { readState, STATE_FILE_ENV, writeState, type EmulatorState } from '../state-file.js'
import { servedUrl } from '../url-encoding.js'
import fs from 'node:fs'

// What the stand-in MEGAcmd commands share: finding the emulator's state
// file, MEGAcmd's messages and exit codes for "no server" and "not logged
// in", and the served URL of a MEGA path.

/** MEGAcmd's error codes, as a shell sees them (exit(-57) reads 199). */
export const EXIT = {
  ok: 0,
  /** The client could not reach the MEGAcmd server. */
  noServer: 1,
  /** MCMD_EARGS (-51): bad arguments. */
  badArguments: 205,
  /** MCMD_NOTFOUND (-53). */
  notFound: 203,
  /** MCMD_NOTLOGGEDIN (-57). */
  notLoggedIn: 199,
} as const

export interface CommandResult {
  stdout: string
  stderr: string
  exitCode: number
}

const NO_SERVER: CommandResult = {
  stdout: '',
  // What MEGAcmd's client prints on Linux when it cannot reach (or start)
  // mega-cmd-server; 111 is ECONNREFUSED.
  stderr: 'Unable to connect to service: error=111\nPlease ensure mega-cmd-server is running\n',
  exitCode: EXIT.noServer,
}

const NOT_LOGGED_IN: CommandResult = { stdout: '', stderr: 'Not logged in.\n', exitCode: EXIT.notLoggedIn }

export interface StandInContext {
  stateFile: string
  state: EmulatorState
}

/** Runs `body` against a running, logged-in emulator, or answers as
 *  MEGAcmd does when there is none. */
export function withEmulator(
  env: NodeJS.ProcessEnv,
  body: (ctx: StandInContext) => CommandResult,
  options: { needsLogin?: boolean } = {},
): CommandResult {
  const stateFile = env[STATE_FILE_ENV]
  if (!stateFile) {
    return { ...NO_SERVER, stderr: NO_SERVER.stderr + `(stand-in: set ${STATE_FILE_ENV} to the emulator's state file)\n` }
  }
  const state = readState(stateFile)
  if (!state || !state.running) return NO_SERVER
  if ((options.needsLogin ?? true) && !state.loggedIn) return NOT_LOGGED_IN
  return body({ stateFile, state })
}

export function saveState(ctx: StandInContext): void {
  writeState(ctx.stateFile, ctx.state)
}

/** '/Photos' for 'Photos', '/Photos/' or '/Photos': MEGAcmd resolves
 *  relative paths from its working folder, which is the root here. */
export function absoluteMegaPath(argument: string): string {
  return normalizeMegaPath(argument.startsWith('/') ? argument : '/' + argument)
}

/** The handle of the node at a MEGA path, or null when it does not exist. */
export function handleOf(state: EmulatorState, megaPath: string): string | null {
  const stats = fs.statSync(megaPathToLocal(state.accountRoot, megaPath), { throwIfNoEntry: false })
  return stats ? nodeHandle(stats.dev, stats.ino) : null
}

export function urlOf(state: EmulatorState, megaPath: string, handle: string): string {
  return servedUrl(state.host, state.port, handle, nodeName(megaPath))
}

/** Writes a result and sets the exit code (no process.exit: output flushes). */
export function emit(result: CommandResult): void {
  if (result.stdout) process.stdout.write(result.stdout)
  if (result.stderr) process.stderr.write(result.stderr)
  process.exitCode = result.exitCode
}
