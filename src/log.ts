import { pino, type Logger } from 'pino'

export type { Logger }

/** The one root logger: JSON lines on stdout (systemd's journal and launchd's
 *  log file take it from there). Modules take `logger.child({ component })`. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { pid: process.pid } }, destination ?? pino.destination(1))
}

/** A logger that drops everything, for tests and library callers. */
export const silentLogger: Logger = pino({ level: 'silent' })
