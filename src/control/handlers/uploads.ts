import type { ControlHandler } from './handler.js'
import { optionalString } from './args.js'

/** Every file of the upload queues, from snapshots: answers at once. */
export const uploadsHandler: ControlHandler = {
  command: 'uploads',
  handle: (args, ctx) => ({ uploads: ctx.uploads(optionalString(args, 'name', 'uploads')) }),
}
