// The real layers under the daemon: WebDavRemote, MegaFs, the FUSE mount
// (libfuse 3 or fuse-native, src/fuse/backends.ts) and MEGAcmd for megaPath
// profiles and df. What stands between them is stacked in read-path.ts.
import type { DaemonSettings, Profile } from '../config/types.js'
import { cleanStaleMount } from '../fuse/stale-mount.js'
import type { FuseBackendChoice } from '../fuse/backends.js'
import { mountFuse } from '../fuse/mount.js'
import type { Logger } from '../log.js'
import { readMountTable } from '../mount-table.js'
import { WebDavRemote } from '../remote/webdav-remote.js'
import type { Remote } from '../remote/remote.js'
import { coreOptionsOf } from '../vfs/core-options.js'
import { MegaFs } from '../vfs/mega-fs.js'
import { WindowPool } from '../vfs/cache/window-pool.js'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import { stagedWrites } from '../vfs/write/write-staged.js'
import path from 'node:path'
import type { MountBackend, SupervisedFs } from './backend.js'
import { MegaCmdLink, looksLikeMegaBridge } from './megacmd-link.js'
import { MountStore } from '../vfs/store/mount-store.js'

/** A mount's own folder in the daemon's state folder: staging, store, cache. */
function mountStateDir(stateDir: string, profile: Profile): string {
  return path.join(stateDir, 'mounts', profile.name)
}

export interface RealBackendOptions {
  /** --fuse-backend: auto, libfuse3 or fuse-native. */
  fuseBackend: FuseBackendChoice
}

export function createRealBackend(
  settings: () => DaemonSettings,
  options: RealBackendOptions = { fuseBackend: 'auto' },
  link = new MegaCmdLink({ settings }),
): MountBackend {
  // One pool for every mount of the daemon: a mount made anew (mountctl
  // mount after unmount, a remount after the bridge came back) takes the
  // windows of the one before instead of allocating while those still wait
  // for the collector. It keeps as many free as one mount's pool did.
  const windows = new WindowPool(Math.floor(INTERNAL_DEFAULTS.readCacheMaxBytes / 2))
  return {
    async resolveUrl(profile: Profile, _logger: Logger, knownUrl?: string | null): Promise<string> {
      return profile.url ?? link.resolve(profile, knownUrl ?? null)
    },
    explainRootMissing: (profile, url) => link.explainRootMissing(profile, url),
    createRemote(profile: Profile, url: string, logger: Logger): Remote {
      return new WebDavRemote({ url, requestTimeoutMs: profile.requestTimeoutMs, maxConcurrentRequests: profile.maxConcurrentRequests, logger })
    },
    megaQuota(profile) {
      // MEGA's bridge serves no quota: df shows the account's mega-df figures,
      // cached and refreshed in the background (MegaFs never waits on them).
      const mega = profile.megaPath !== null || (profile.url !== null && looksLikeMegaBridge(profile.url))
      if (!mega) return null
      link.df.peek() // start fetching now, so the first df already has the figures
      return link.df
    },
    openStore(profile: Profile, stateDir: string, logger: Logger): MountStore {
      // The store describes one served folder; another one in the profile starts it empty.
      return MountStore.open(mountStateDir(stateDir, profile), profile.megaPath ?? profile.url ?? '', logger)
    },
    createFs({ remote, profile, logger, stateDir, onWrites, store }): SupervisedFs {
      return new MegaFs({
        remote,
        options: coreOptionsOf(profile),
        logger,
        stateDir: mountStateDir(stateDir, profile),
        store,
        writes: stagedWrites({ onCreated: onWrites }),
        windows,
      })
    },
    mount: (mountpoint, fs, mountOptions) => mountFuse(mountpoint, fs, { ...mountOptions, backend: options.fuseBackend }),
    async cleanStaleMount(mountpoint: string, logger: Logger): Promise<void> {
      await cleanStaleMount(mountpoint, logger)
    },
    readMountTable,
  }
}
