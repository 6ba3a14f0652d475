// Every mountctl command, one line each, in the order --help lists them.
import type { CliCommand } from '../command.js'
import { addCommand } from './add.js'
import { cacheCommand } from './cache.js'
import { discardCommand } from './discard.js'
import { discoverCommand } from './discover.js'
import { doctorCommand } from './doctor.js'
import { mountCommand } from './mount.js'
import { refreshCommand } from './refresh.js'
import { reloadCommand } from './reload.js'
import { removeCommand } from './remove.js'
import { retryCommand } from './retry.js'
import { serviceCommand } from './service.js'
import { statusCommand } from './status.js'
import { unmountCommand } from './unmount.js'
import { uploadsCommand } from './uploads.js'
import { versionCommand } from './version.js'

export const CLI_COMMANDS: readonly CliCommand[] = [
  statusCommand,
  mountCommand,
  unmountCommand,
  reloadCommand,
  refreshCommand,
  cacheCommand,
  addCommand,
  removeCommand,
  uploadsCommand,
  retryCommand,
  discardCommand,
  doctorCommand,
  discoverCommand,
  serviceCommand,
  versionCommand,
]
