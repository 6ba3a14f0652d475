// megamountd's command line. Flags win over environment variables, which win
// over the XDG defaults (src/config/paths.ts).
import path from 'node:path'
import { parseArgs } from 'node:util'
import { defaultConfigFile, defaultSocketPath, defaultStateDir, expandHome, type Env } from '../config/paths.js'
import { documentationLine } from '../docs-folder.js'
import { parseBackendChoice, type FuseBackendChoice } from '../fuse/backends.js'
import { DEFAULT_STOP_TIMEOUT_SECONDS, UNMOUNT_ALLOWANCE_SECONDS } from '../config/service-timeouts.js'

export const DAEMON_USAGE = `Usage: megamountd [options]

Mounts every profile of mounts.json and keeps the mounts healthy. Runs in the
foreground and logs JSON lines to stdout. SIGHUP re-reads the file; SIGTERM or
Ctrl-C lets uploads run for up to --stop-timeout-seconds, unmounts everything
and exits (what is not uploaded stays in the journal and resumes at the next
start); a second signal exits at once.

Options:
  --config FILE       profile file (env MEGAMOUNT_CONFIG;
                      default $XDG_CONFIG_HOME/megamount/mounts.json)
  --socket PATH       control socket for mountctl (env MEGAMOUNT_SOCKET;
                      default $XDG_RUNTIME_DIR/megamount/control.sock,
                      else <state dir>/control.sock)
  --state-dir DIR     caches and upload staging (env MEGAMOUNT_STATE_DIR;
                      default $XDG_STATE_HOME/megamount)
  --log-level LEVEL   fatal, error, warn, info (default), debug, trace
  --stop-timeout-seconds N
                      at SIGTERM, how long uploads may still run (env
                      MEGAMOUNT_STOP_TIMEOUT_SECONDS; default ${DEFAULT_STOP_TIMEOUT_SECONDS}; the
                      service units allow ${UNMOUNT_ALLOWANCE_SECONDS} s more to unmount)
  --fuse-backend auto|libfuse3|fuse-native
                      how mounts reach the kernel (env MEGAMOUNT_FUSE_BACKEND;
                      default auto: megamount's libfuse 3 binding when it is
                      built, else fuse-native on libfuse 2; see
                      docs/filesystem.md)
  --help              show this help
  --version           show the version

${documentationLine()}
`

export interface DaemonArgs {
  configFile: string
  socketPath: string
  stateDir: string
  logLevel: string
  stopTimeoutMs: number
  fuseBackend: FuseBackendChoice
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
        'stop-timeout-seconds': { type: 'string' },
        'fuse-backend': { type: 'string' },
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
  const stopText = values['stop-timeout-seconds'] ?? env.MEGAMOUNT_STOP_TIMEOUT_SECONDS ?? String(DEFAULT_STOP_TIMEOUT_SECONDS)
  const stopSeconds = Number(stopText)
  if (!/^\d+(\.\d+)?$/.test(stopText.trim()) || !Number.isFinite(stopSeconds)) {
    throw new UsageError(`--stop-timeout-seconds must be a number of seconds, 0 or more (got "${stopText}")`)
  }
  const backendText = values['fuse-backend'] ?? env.MEGAMOUNT_FUSE_BACKEND ?? 'auto'
  const fuseBackend = parseBackendChoice(backendText)
  if (!fuseBackend) throw new UsageError(`--fuse-backend must be auto, libfuse3 or fuse-native (got "${backendText}")`)
  return {
    configFile: values.config ? abs(values.config) : defaultConfigFile(env),
    socketPath: values.socket ? abs(values.socket) : defaultSocketPath(env, stateDir),
    stateDir,
    logLevel,
    stopTimeoutMs: Math.round(stopSeconds * 1000),
    fuseBackend,
    help: values.help ?? false,
    version: values.version ?? false,
  }
}
