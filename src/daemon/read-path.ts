// Every layer one mount's requests go through, from the kernel down:
//
//   kernel → src/fuse (the FUSE backend's adapter)
//          → MegaFs (src/vfs: caches, read-ahead, staged writes)
//          → TroubleWatchingRemote (bridge-trouble.ts: a refused or hung
//            request makes the supervisor probe at once)
//          → withMegaQuota (src/megacmd/mega-quota.ts: df from mega-df, on
//            MEGA's bridge only, which serves no quota)
//          → WebDavRemote (src/remote: the bridge)
//
// The daemon's two decorators of the remote are put in place here and
// nowhere else; the supervisor calls this once per mount attempt.
import type { DfCache } from '../megacmd/df-cache.js'
import { withMegaQuota } from '../megacmd/mega-quota.js'
import type { Remote, RemoteError } from '../remote/remote.js'
import { TroubleWatchingRemote } from './bridge-trouble.js'

export interface ReadPathOptions {
  /** The account's storage figures, for a mount of MEGA's bridge; null for
   *  any other WebDAV server (its own quota, if any, is used). */
  megaQuota: DfCache | null
  onBridgeTrouble: (err: RemoteError) => void
}

/** The remote the filesystem core of a mount gets. */
export function readPathRemote(bridge: Remote, options: ReadPathOptions): Remote {
  const quoted = options.megaQuota ? withMegaQuota(bridge, options.megaQuota) : bridge
  return new TroubleWatchingRemote(quoted, options.onBridgeTrouble)
}
