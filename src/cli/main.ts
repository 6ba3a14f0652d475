// mountctl: finds the command, parses its arguments, talks to the daemon and
// turns every outcome into a message and an exit status. src/bin/mountctl.ts
// only calls this and exits.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { defaultSocketPath, expandHome } from '../config/paths.js'
import { CommandFailed, DaemonNotRunningError, UnreadableReplyError, callDaemon } from '../control/client.js'
import { packageVersion } from '../version.js'
import { EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK, EXIT_USAGE, type CliCommand, type CliContext, type CliIo } from './command.js'
import { documentationLine } from '../docs-folder.js'
import { CLI_COMMANDS } from './commands/index.js'

export function mainUsage(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map(c => c.name.length))
  return `Usage: mountctl [--socket PATH] COMMAND [ARGS]

Controls megamountd, the daemon that keeps your MEGA folders mounted.

Commands:
${commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  --socket PATH   the daemon's control socket (env MEGAMOUNT_SOCKET; default
                  $XDG_RUNTIME_DIR/megamount/control.sock)
  --help          this help; \`mountctl COMMAND --help\` for one command
  --version       show the version

${documentationLine()}
`
}

/** Pulls the global options out of argv wherever they are. */
function splitGlobal(argv: string[]): { socket?: string; help: boolean; version: boolean; rest: string[] } {
  const rest: string[] = []
  let socket: string | undefined
  let help = false
  let version = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--socket') socket = argv[++i] ?? ''
    else if (a.startsWith('--socket=')) socket = a.slice('--socket='.length)
    else if (a === '--help' || a === '-h') help = true
    else if (a === '--version') version = true
    else rest.push(a)
  }
  return { socket, help, version, rest }
}

export async function runMountctl(argv: string[], io: CliIo, commands: readonly CliCommand[] = CLI_COMMANDS): Promise<number> {
  const global = splitGlobal(argv)
  if (global.version) {
    io.stdout(`mountctl ${packageVersion()}\n`)
    return EXIT_OK
  }
  const [name, ...commandArgs] = global.rest
  if (!name) {
    ;(global.help ? io.stdout : io.stderr)(mainUsage(commands))
    return global.help ? EXIT_OK : EXIT_USAGE
  }
  const command = commands.find(c => c.name === name)
  if (!command) {
    io.stderr(`mountctl: unknown command "${name}"\n\n${mainUsage(commands)}`)
    return EXIT_USAGE
  }
  if (global.help) {
    io.stdout(`${command.usage}\n`)
    return EXIT_OK
  }
  if (global.socket === '') {
    io.stderr('mountctl: --socket needs a path\n')
    return EXIT_USAGE
  }
  let parsed
  try {
    parsed = parseArgs({ args: commandArgs, options: command.options ?? {}, allowPositionals: true, strict: true })
  } catch (err) {
    io.stderr(`mountctl ${name}: ${(err as Error).message}\n\n${command.usage}\n`)
    return EXIT_USAGE
  }
  const { min, max } = command.positionals
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    io.stderr(`mountctl ${name}: expected ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${parsed.positionals.length}\n\n${command.usage}\n`)
    return EXIT_USAGE
  }
  const socketPath = global.socket ? path.resolve(expandHome(global.socket, io.env.HOME)) : defaultSocketPath(io.env)
  const ctx: CliContext = {
    io,
    socketPath,
    values: parsed.values as CliContext['values'],
    positionals: parsed.positionals,
    request: (cmd, args, options) => callDaemon(socketPath, cmd, args, options),
  }
  try {
    return await command.run(ctx)
  } catch (err) {
    if (err instanceof DaemonNotRunningError) {
      const service = commands.some(c => c.name === 'service') ? '\n  or install it as a service that starts at login: mountctl service install' : ''
      io.stderr(
        `mountctl: megamountd is not running (nothing answers on ${socketPath}).\n` +
          `  start it:   megamountd &   (give it the same --socket and --config you use)${service}\n`,
      )
      return EXIT_NOT_RUNNING
    }
    if (err instanceof CommandFailed) {
      io.stderr(`mountctl ${name}: ${err.body.message}\n${err.body.hint ? `  fix: ${err.body.hint}\n` : ''}`)
      return EXIT_FAILED
    }
    const fix = err instanceof UnreadableReplyError ? `  fix: ${err.hint}\n` : ''
    io.stderr(`mountctl ${name}: ${(err as Error).message}\n${fix}`)
    return EXIT_FAILED
  }
}
