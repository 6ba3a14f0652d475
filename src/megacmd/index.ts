// MEGAcmd integration: what the daemon, the doctor and `mountctl discover` import.
export { MegaCmd, FIX_INSTALL_MEGACMD, type MegaCmdApi, type MegaCmdOptions } from './megacmd.js'
export { MegaCmdError, isMegaCmdError, type MegaCmdErrorKind } from './errors.js'
export { resolveMegaPath, bridgeHandle, type ResolveOptions } from './resolve-mega-path.js'
export { DfCache, type DfCacheOptions } from './df-cache.js'
export { quotaFromDf, withMegaQuota } from './mega-quota.js'
export { normalizeMegaPath, megaPathBaseName } from './mega-path.js'
export type { MegaDf } from './parse-df.js'
export type { ServedLocation } from './parse-webdav.js'
export type { WhoAmI } from './parse-whoami.js'
export {
  execFileRunner,
  CommandNotFoundError,
  CommandTimeoutError,
  type CommandRunner,
  type CommandResult,
  type RunOptions,
} from './command-runner.js'
