import type { ControlHandler } from './handler.js'
import { optionalBoolean, requireString } from './args.js'

export const cacheHandler: ControlHandler = {
  command: 'cache',
  handle: (args, ctx) => ctx.cache(requireString(args, 'name', 'cache'), { clear: optionalBoolean(args, 'clear', 'cache') ?? false }),
}
