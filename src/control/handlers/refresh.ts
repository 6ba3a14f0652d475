import type { ControlHandler } from './handler.js'
import { optionalString, requireString } from './args.js'

export const refreshHandler: ControlHandler = {
  command: 'refresh',
  handle: (args, ctx) => ctx.refresh(requireString(args, 'name', 'refresh'), optionalString(args, 'path', 'refresh')),
}
