// Every control command, one line each. To add one: write handlers/<name>.ts
// exporting a ControlHandler and list it here.
import type { ControlHandler } from './handler.js'
import { cacheHandler } from './cache.js'
import { discardHandler } from './discard.js'
import { mountHandler } from './mount.js'
import { refreshHandler } from './refresh.js'
import { reloadHandler } from './reload.js'
import { retryHandler } from './retry.js'
import { statusHandler } from './status.js'
import { unmountHandler } from './unmount.js'
import { uploadsHandler } from './uploads.js'

export const CONTROL_HANDLERS: readonly ControlHandler[] = [statusHandler, mountHandler, unmountHandler, reloadHandler, refreshHandler, uploadsHandler, retryHandler, discardHandler, cacheHandler]
