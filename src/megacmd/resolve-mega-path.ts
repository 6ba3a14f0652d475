// Finds the bridge URL of a MEGA path. The URL holds the folder's current
// name, so it changes when the folder is renamed: callers run this again on
// start and whenever the served root answers 404 (RemoteError 'root-missing').
import { MegaCmdError } from './errors.js'
import type { MegaCmdApi } from './megacmd.js'
import { normalizeMegaPath } from './mega-path.js'

export interface ResolveOptions {
  /** Run `mega-webdav <path>` when the path is not served yet. */
  serveIfNeeded: boolean
}

export async function resolveMegaPath(
  megaCmd: Pick<MegaCmdApi, 'servedLocations' | 'serve'>,
  megaPath: string,
  options: ResolveOptions,
): Promise<string> {
  const wanted = normalizeMegaPath(megaPath)
  const served = await megaCmd.servedLocations()
  const found = served.find((location) => {
    try {
      return normalizeMegaPath(location.megaPath) === wanted
    } catch {
      return false // a relative path MEGAcmd echoed back; never ours
    }
  })
  if (found) return found.url
  if (options.serveIfNeeded) return megaCmd.serve(wanted)
  throw new MegaCmdError('not-served', `${wanted} is not served by MEGAcmd's WebDAV bridge`, {
    fix: `mega-webdav ${wanted}   (or set "serveIfNeeded": true in the profile)`,
  })
}
