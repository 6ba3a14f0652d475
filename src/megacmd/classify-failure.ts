// Turns a failed mega-* run into a MegaCmdError. The texts matched here are
// the ones MEGAcmd's client prints, read from its source
// (meganz/MEGAcmd, src/megacmdshell/megacmdshellcommunications.cpp,
// MegaCmdShellCommunications::createSocket/executeCommand): when the server
// socket cannot be reached the client tries to start mega-cmd-server and then
// prints "Unable to connect to service: error=<errno>" followed by "Please
// ensure mega-cmd-server is running" (MEGAcmdServer on macOS); without
// auto-start it prints "Server is not responding" or "Unable to connect to
// socket"; a server that dies mid-command gives "ERROR reading output ..." /
// "ERROR writing command to socket"; an interactive client says "[Server is
// probably down ...]". 'Not logged in.' is MEGAcmd's message for -57.
import type { CommandResult } from './command-runner.js'
import { MegaCmdError } from './errors.js'

const NOT_RUNNING = [
  /Unable to connect to service/i,
  /Please ensure (mega-cmd-server|MEGAcmdServer) is running/i,
  /Server is not responding/i,
  /Unable to connect to socket/i,
  /Server is probably down/i,
  /ERROR (reading|writing) (output|command)/i,
  /Couln?'?t initiate MEGAcmd server/i,
]

export const FIX_START_MEGACMD = 'start MEGAcmd: run `mega-cmd-server &` (Linux) or open the MEGAcmd app (macOS), then try again'
export const FIX_LOGIN = 'log in to MEGAcmd: mega-login <email>'

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? ''
}

export function classifyFailure(command: string, result: CommandResult): MegaCmdError {
  const text = `${result.stdout}\n${result.stderr}`
  if (/Not logged in/i.test(text)) {
    return new MegaCmdError('not-logged-in', `MEGAcmd is not logged in (${command} said: ${firstLine(text)})`, {
      fix: FIX_LOGIN,
    })
  }
  if (NOT_RUNNING.some((re) => re.test(text))) {
    return new MegaCmdError('megacmd-not-running', `${command} cannot reach the MEGAcmd server: ${firstLine(text)}`, {
      fix: FIX_START_MEGACMD,
    })
  }
  if (/(Couldn'?t find|not found|No such file or directory)/i.test(text)) {
    return new MegaCmdError('path-not-found', `${command}: ${firstLine(text)}`, {
      fix: 'check the path with `mega-ls`; a renamed or moved folder needs its new path in the profile',
    })
  }
  const said = firstLine(text) || '(no output)'
  return new MegaCmdError('unexpected-output', `${command} failed with exit status ${result.exitCode}: ${said}`)
}
