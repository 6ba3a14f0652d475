import type { ControlHandler } from './handler.js'

export const reloadHandler: ControlHandler = {
  command: 'reload',
  handle: (_args, ctx) => ctx.reload(),
}
