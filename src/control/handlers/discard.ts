import type { ControlHandler } from './handler.js'
import { optionalBoolean, requireString } from './args.js'

/** Deletes the staged copy of one file: its content never reaches MEGA.
 *  mountctl asks the user first; the daemon does what it is told. */
export const discardHandler: ControlHandler = {
  command: 'discard',
  handle: (args, ctx) =>
    ctx.discardUpload(requireString(args, 'name', 'discard'), requireString(args, 'path', 'discard'), { dryRun: optionalBoolean(args, 'dryRun', 'discard') ?? false }),
}
