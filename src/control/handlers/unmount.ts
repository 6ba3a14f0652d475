import type { ControlHandler } from './handler.js'
import { optionalBoolean, requireString } from './args.js'

/** Without force the reply comes once the mount's uploads are done, which
 *  can take long; other requests are answered meanwhile. */
export const unmountHandler: ControlHandler = {
  command: 'unmount',
  handle: (args, ctx, signal) => ctx.unmount(requireString(args, 'name', 'unmount'), { force: optionalBoolean(args, 'force', 'unmount') ?? false, signal }),
}
