import type { ControlHandler } from './handler.js'
import { requireString } from './args.js'

export const unmountHandler: ControlHandler = {
  command: 'unmount',
  handle: (args, ctx) => ctx.unmount(requireString(args, 'name', 'unmount')),
}
