// Finds the bridge URL of a MEGA path. The URL holds the folder's current
// name, so it changes when the folder is renamed: callers run this again on
// start and whenever the served root answers 404 (RemoteError 'root-missing').
// A rename also changes the MEGA path MEGAcmd lists, so the path alone cannot
// find a renamed folder; its handle (the URL's first segment, stable for the
// folder's life) can: pass the last URL that worked as knownUrl.
import { MegaCmdError } from './errors.js'
import type { MegaCmdApi } from './megacmd.js'
import { normalizeMegaPath } from './mega-path.js'

export interface ResolveOptions {
  /** Run `mega-webdav <path>` when the path is not served yet. */
  serveIfNeeded: boolean
  /** The URL that worked before; when the path is no longer served, a served
   *  location with the same handle is the same folder, renamed or moved. */
  knownUrl?: string | null
}

/** The node handle of a bridge URL: its first path segment. */
export function bridgeHandle(url: string): string | null {
  try {
    return new URL(url).pathname.split('/')[1] || null
  } catch {
    return null
  }
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
  const handle = options.knownUrl ? bridgeHandle(options.knownUrl) : null
  const moved = handle ? served.find((location) => bridgeHandle(location.url) === handle) : undefined
  if (moved) return moved.url
  if (options.serveIfNeeded) return megaCmd.serve(wanted)
  throw new MegaCmdError('not-served', `${wanted} is not served by MEGAcmd's WebDAV bridge`, {
    fix: `mega-webdav ${wanted}   (or set "serveIfNeeded": true in the profile)`,
  })
}
