// The real layers under the daemon: WebDavRemote, MegaFs, the fuse-native
// mount and MEGAcmd for megaPath profiles.
import type { DaemonSettings, Profile } from '../config/types.js'
import { cleanStaleMount } from '../fuse/stale-mount.js'
import { mountFuse } from '../fuse/mount.js'
import type { Logger } from '../log.js'
import { MegaCmd, isMegaCmdError, resolveMegaPath } from '../megacmd/index.js'
import { WebDavRemote } from '../remote/webdav-remote.js'
import type { Remote } from '../remote/remote.js'
import { MegaFs } from '../vfs/mega-fs.js'
import { stagedWrites } from '../vfs/write-staged.js'
import path from 'node:path'
import type { MountBackend, SupervisedFs } from './backend.js'

export function createRealBackend(settings: () => DaemonSettings): MountBackend {
  return {
    async resolveUrl(profile: Profile): Promise<string> {
      if (profile.url) return profile.url
      try {
        const megaCmd = new MegaCmd({ megacmdPath: settings().megacmdPath })
        return await resolveMegaPath(megaCmd, profile.megaPath!, { serveIfNeeded: profile.serveIfNeeded })
      } catch (err) {
        const hint = isMegaCmdError(err) && err.fix ? err.fix : 'check that MEGAcmd runs (mega-whoami), or use "url" instead of "megaPath"'
        throw Object.assign(new Error(`cannot find the bridge URL of ${profile.megaPath}: ${(err as Error).message}`, { cause: err }), { hint })
      }
    },
    createRemote(profile: Profile, url: string, logger: Logger): Remote {
      return new WebDavRemote({ url, requestTimeoutMs: profile.requestTimeoutMs, maxConcurrentRequests: profile.maxConcurrentRequests, logger })
    },
    createFs({ remote, profile, logger, stateDir, onWrites }): SupervisedFs {
      return new MegaFs({ remote, profile, logger, stateDir: path.join(stateDir, 'mounts', profile.name), writes: stagedWrites({ onCreated: onWrites }) })
    },
    mount: (mountpoint, fs, options) => mountFuse(mountpoint, fs, options),
    async cleanStaleMount(mountpoint: string, logger: Logger): Promise<void> {
      await cleanStaleMount(mountpoint, logger)
    },
  }
}
