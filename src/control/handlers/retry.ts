import type { ControlHandler } from './handler.js'
import { optionalString, requireString } from './args.js'

/** Failed uploads (and ones backing off) go again now; all of the mount's
 *  when no path is given. */
export const retryHandler: ControlHandler = {
  command: 'retry',
  handle: (args, ctx) => ctx.retryUploads(requireString(args, 'name', 'retry'), optionalString(args, 'path', 'retry')),
}
