import { pino, type Logger } from 'pino'

export type { Logger }

/** The one root logger: JSON lines on stdout (systemd's journal and launchd's
 *  log file take it from there). Modules take `logger.child({ component })`. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return flatChildren(pino({ level, base: { pid: process.pid } }, destination ?? pino.destination(1)))
}

/** A logger that drops everything, for tests and library callers. */
export const silentLogger: Logger = flatChildren(pino({ level: 'silent' }))

/** Pino appends a child's bindings to its parent's, so a module's
 *  `child({ component: 'vfs' })` under the supervisor's
 *  `{ component: 'supervisor', mount }` would print "component" twice (three
 *  times one level further down). Here every child, at any depth, is made
 *  from the root with the bindings merged: a later key replaces the earlier
 *  one, and each key appears once per line. */
function flatChildren(root: Logger): Logger {
  const makeChild = root.child.bind(root)
  // Children are made with Object.create(root), so they inherit this too.
  root.child = function <L extends string = never>(this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions<L>) {
    return makeChild<L>({ ...this.bindings(), ...bindings }, options)
  }
  return root
}
