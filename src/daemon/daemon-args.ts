// megamountd's command line. Flags win over environment variables, which win
// over the XDG defaults (src/config/paths.ts).
import path from 'node:path'
import { parseArgs } from 'node:util'
import { defaultConfigFile, defaultSocketPath, defaultStateDir, expandHome, type Env } from '../config/paths.js'

export const DAEMON_USAGE = `Usage: megamountd [options]

Mounts every profile of mounts.json and keeps the mounts healthy. Runs in the
foreground and logs JSON lines to stdout. SIGHUP re-reads the file; SIGTERM or
Ctrl-C unmounts everything and exits.

Options:
  --config FILE       profile file (env MEGAMOUNT_CONFIG;
                      default $XDG_CONFIG_HOME/megamount/mounts.json)
  --socket PATH       control socket for mountctl (env MEGAMOUNT_SOCKET;
                      default $XDG_RUNTIME_DIR/megamount/control.sock,
                      else <state dir>/control.sock)
  --state-dir DIR     caches and upload staging (env MEGAMOUNT_STATE_DIR;
                      default $XDG_STATE_HOME/megamount)
  --log-level LEVEL   fatal, error, warn, info (default), debug, trace
  --help              show this help
  --version           show the version
`

export interface DaemonArgs {
  configFile: string
  socketPath: string
  stateDir: string
  logLevel: string
  help: boolean
  version: boolean
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function parseDaemonArgs(argv: string[], env: Env): DaemonArgs {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        socket: { type: 'string' },
        'state-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      allowPositionals: false,
      strict: true,
    }))
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; run megamountd --help`)
  }
  const abs = (p: string) => path.resolve(expandHome(p, env.HOME))
  const stateDir = values['state-dir'] ? abs(values['state-dir']) : defaultStateDir(env)
  const logLevel = values['log-level'] ?? env.MEGAMOUNT_LOG_LEVEL ?? 'info'
  if (!LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')} (got "${logLevel}")`)
  return {
    configFile: values.config ? abs(values.config) : defaultConfigFile(env),
    socketPath: values.socket ? abs(values.socket) : defaultSocketPath(env, stateDir),
    stateDir,
    logLevel,
    help: values.help ?? false,
    version: values.version ?? false,
  }
}
