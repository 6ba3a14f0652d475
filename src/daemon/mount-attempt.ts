// Mounting a profile whose bridge answered, and the wait between attempts
// while it does not.
import fs from 'node:fs/promises'
import { fsNameFor } from '../config/mountpoint-check.js'
import type { Profile } from '../config/types.js'
import type { Logger } from '../log.js'
import type { Remote, RemoteError } from '../remote/remote.js'
import type { UploadSource } from './upload-status.js'
import type { MountBackend, MountHandle, SupervisedFs } from './backend.js'
import { readPathRemote } from './read-path.js'
import type { MountStore } from '../vfs/store/mount-store.js'

export interface MountAttemptOptions {
  profile: Profile
  backend: MountBackend
  logger: Logger
  stateDir: string
  /** The bridge's remote (mount-bridge.ts). */
  bridge: Remote
  /** The mount's persistent store, owned by the supervisor (absent: none). */
  store?: MountStore
  onBridgeTrouble: (err: RemoteError) => void
  onWrites: (source: UploadSource) => void
  /** The mount ended without unmount() (removed from outside), for FUSE
   *  backends that can tell (libfuse3 sees its kernel connection end). */
  onLost: (handle: MountHandle) => void
  /** Closes a core built here (and lets go of its upload queue). */
  closeFs: (fs: SupervisedFs) => Promise<void>
  /** True once the attempt is no longer wanted (stop ran meanwhile). */
  outdated: () => boolean
}

/** Cleans a mount a killed daemon left, makes the mountpoint, builds the
 *  filesystem core on the read path and mounts it. Null when the attempt
 *  was outdated by the end (then nothing is left mounted); throws when
 *  mounting failed (then the core is closed). */
export async function mountProfile(o: MountAttemptOptions): Promise<{ fs: SupervisedFs; handle: MountHandle } | null> {
  const { profile, backend, logger } = o
  let core: SupervisedFs | null = null
  try {
    await backend.cleanStaleMount(profile.mountpoint, logger)
    await fs.mkdir(profile.mountpoint, { recursive: true })
    core = backend.createFs({
      remote: readPathRemote(o.bridge, { megaQuota: backend.megaQuota?.(profile) ?? null, onBridgeTrouble: o.onBridgeTrouble }),
      profile,
      logger,
      stateDir: o.stateDir,
      onWrites: o.onWrites,
      store: o.store,
    })
    let mounted: MountHandle | null = null
    const handle = await backend.mount(profile.mountpoint, core, {
      logger,
      readOnly: profile.readOnly,
      fsName: fsNameFor(profile.name),
      opTimeoutMs: profile.requestTimeoutMs * 2,
      // The kernel may keep names and attributes as long as the core keeps
      // listings: it is told of changes it cannot see (libfuse3).
      kernelTtlS: profile.cacheTtlMs / 1000,
      // And "no such name" as long as the core keeps it (the same listing
      // that ends the core's takes the kernel's back).
      negativeTtlS: profile.negativeCacheTtlMs / 1000,
      // And as many file entries as the core keeps: each the kernel holds
      // costs the daemon an inode-table node (src/fuse/libfuse3/inode-table.ts).
      // At least 1,000, so a tiny cache does not make every ls ask again.
      kernelFileEntries: Math.max(profile.cacheMaxEntries, 1_000),
      // The mount-table watch (mount-table-watch.ts) covers fuse-native.
      onLost: () => void (mounted && o.onLost(mounted)),
    })
    mounted = handle
    if (o.outdated()) {
      // stop() ran while mounting and is waiting for this step: undo.
      await handle.unmount()
      await o.closeFs(core)
      return null
    }
    return { fs: core, handle }
  } catch (err) {
    if (core) await o.closeFs(core)
    throw err
  }
}

/** Waits between attempts while the bridge does not answer: doubling from
 *  initialMs, capped at maxMs and at the health interval too, so a bridge
 *  that appears is mounted within one interval, as a dropped one is noticed
 *  within one. */
export class RetryBackoff {
  #nextMs: number

  constructor(private readonly o: { initialMs: number; maxMs: number; intervalMs: () => number }) {
    this.#nextMs = o.initialMs
  }

  reset(): void {
    this.#nextMs = this.o.initialMs
  }

  /** The wait before the next attempt; the one after is longer. */
  next(): number {
    const delay = this.#nextMs
    this.#nextMs = Math.min(this.#nextMs * 2, this.o.maxMs, this.o.intervalMs())
    return delay
  }
}
