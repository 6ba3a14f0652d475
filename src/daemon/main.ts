// Starting the daemon from a command line: everything megamountd does except
// owning the process (signals and exit stay in src/bin/megamountd.ts).
import { ConfigError } from '../config/config-error.js'
import type { Env } from '../config/paths.js'
import { ControlError } from '../control/protocol.js'
import { createLogger, type Logger } from '../log.js'
import { Daemon } from './daemon.js'
import { DAEMON_USAGE, UsageError, parseDaemonArgs } from './daemon-args.js'
import { announceReady } from './readiness.js'
import { createRealBackend, type RealBackendOptions } from './real-backend.js'
import { systemTime } from '../clock.js'
import { nativeMemoryReducer } from '../fuse/memory-reducer.js'
import { systemCron } from '../cron.js'
import { packageVersion } from '../version.js'
import { StateDirError } from './state-dir.js'
import type { MountBackend } from './backend.js'
import type { DaemonSettings } from '../config/types.js'

export type StartResult =
  | { kind: 'running'; daemon: Daemon; logger: Logger }
  | { kind: 'exit'; code: number; stdout?: string; stderr?: string }

export async function startDaemon(
  argv: string[],
  env: Env,
  makeBackend: (settings: () => DaemonSettings, options: RealBackendOptions) => MountBackend = createRealBackend,
): Promise<StartResult> {
  let args
  try {
    args = parseDaemonArgs(argv, env)
  } catch (err) {
    if (err instanceof UsageError) return { kind: 'exit', code: 2, stderr: `megamountd: ${err.message}\n` }
    throw err
  }
  if (args.help) return { kind: 'exit', code: 0, stdout: DAEMON_USAGE }
  if (args.version) return { kind: 'exit', code: 0, stdout: `megamountd ${packageVersion()}\n` }
  const logger = createLogger(args.logLevel)
  logger.info({ config: args.configFile, socket: args.socketPath, stateDir: args.stateDir, version: packageVersion() }, 'megamountd starting')
  let daemon: Daemon | null = null
  const backend = makeBackend(() => daemon!.currentSettings, { fuseBackend: args.fuseBackend })
  const reduce = args.fuseBackend === 'fuse-native' ? null : nativeMemoryReducer()
  daemon = new Daemon({
    configFile: args.configFile,
    socketPath: args.socketPath,
    stateDir: args.stateDir,
    backend,
    time: systemTime,
    cron: systemCron,
    watchProfileFile: true,
    logger,
    version: packageVersion(),
    stopTimeoutMs: args.stopTimeoutMs,
    ...(reduce ? { memoryReducer: { reduce } } : {}),
  })
  try {
    await daemon.start()
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ControlError || err instanceof StateDirError) {
      logger.fatal({ error: err.message, hint: err.hint }, 'cannot start')
      await daemon.stop()
      return { kind: 'exit', code: 1, stderr: `megamountd: ${err.message}\n  ${err.hint}\n` }
    }
    logger.fatal({ err }, 'cannot start')
    await daemon.stop()
    return { kind: 'exit', code: 1, stderr: `megamountd: ${(err as Error).message}\n` }
  }
  // Type=notify: systemd counts the service started once the mounts are in place.
  void announceReady(daemon, { env, logger, time: systemTime })
  return { kind: 'running', daemon, logger }
}
