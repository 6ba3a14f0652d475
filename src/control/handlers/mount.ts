import type { ControlHandler } from './handler.js'
import { requireString } from './args.js'

export const mountHandler: ControlHandler = {
  command: 'mount',
  handle: (args, ctx) => ctx.mount(requireString(args, 'name', 'mount')),
}
