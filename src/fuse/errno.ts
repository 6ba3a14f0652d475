// The one table from the core's error vocabulary to errno. Values come from
// os.constants.errno because they differ between Linux and macOS (ETIMEDOUT
// is 110 on one and 60 on the other); fuse-native wants them negated.
// Anything that is not an FsError is a bug or an unexpected failure: it is
// logged with its stack and answered EIO, never ENOENT (which would make a
// file that exists look deleted to the program asking).

import { constants, platform } from 'node:os'
import { FS_ERROR_CODES, isFsError, type FsErrorCode } from '../errors.js'
import type { Logger } from '../log.js'
import type { FailedOps } from './failed-ops.js'

// Node's table omits a few codes on some platforms (EHOSTDOWN on Linux).
const MISSING_FROM_NODE: Partial<Record<FsErrorCode, Partial<Record<NodeJS.Platform, number>>>> = {
  EHOSTDOWN: { linux: 112, darwin: 64, freebsd: 64 },
  ENOTSUP: { linux: 95, darwin: 45, freebsd: 45 },
}

const ERRNO = Object.fromEntries(
  FS_ERROR_CODES.map(code => {
    const value = (constants.errno as Record<string, number | undefined>)[code]
    return [code, value ?? MISSING_FROM_NODE[code]?.[platform()] ?? constants.errno.EIO]
  }),
) as Record<FsErrorCode, number>

/** Positive errno for a core error code. */
export function errnoFor(code: FsErrorCode): number {
  return ERRNO[code]
}

/** The negative return code fuse-native expects for any thrown value. */
export function fuseCodeFor(err: unknown, logger: Logger, op: string, path: string, failed?: FailedOps): number {
  failed?.note(op, path, err)
  if (isFsError(err)) {
    // Expected answers (ENOENT for probes, EROFS) are routine: debug only.
    logger.debug({ op, path, code: err.code, msg: err.message }, 'operation failed')
    return -ERRNO[err.code]
  }
  logger.error({ err, op, path }, 'unexpected error in a filesystem operation, answering EIO')
  return -ERRNO.EIO
}
