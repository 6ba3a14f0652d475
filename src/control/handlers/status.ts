import type { ControlHandler } from './handler.js'
import { optionalString } from './args.js'
import { ControlError } from '../protocol.js'

/** Answers from cached state at once, even while a bridge hangs. */
export const statusHandler: ControlHandler = {
  command: 'status',
  handle(args, ctx) {
    const name = optionalString(args, 'name', 'status')
    const report = ctx.status()
    if (name === undefined) return report
    const mounts = report.mounts.filter(m => m.name === name)
    if (mounts.length === 0) {
      throw new ControlError(`no profile named "${name}"`, `known: ${report.mounts.map(m => m.name).join(', ') || '(none)'}`)
    }
    return { ...report, mounts }
  },
}
