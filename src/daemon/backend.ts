// What the daemon needs from the layers below it (remote, filesystem core,
// FUSE adapter), as one injectable object: the real one is wired in
// real-backend.ts; tests pass fakes.
import type { FailedOpsSnapshot } from '../fuse/failed-ops.js'
import type { Libfuse3Stats } from '../fuse/libfuse3/mount.js'
import type { Logger } from '../log.js'
import type { DfCache } from '../megacmd/df-cache.js'
import type { MountRecord } from '../mount-table.js'
import type { Profile } from '../config/types.js'
import type { Remote } from '../remote/remote.js'
import type { FileSystem } from '../vfs/types.js'
import type { MountStore, MountStoreStats } from '../vfs/store/mount-store.js'
import type { OfflineProgress } from '../vfs/offline/offline-pinner.js'
import type { UploadSource } from './upload-status.js'

export interface FsStats {
  cacheEntries: number
  cacheHits: number
  cacheMisses: number
  /** 0..1 */
  hitRate: number
  /** Entries hidden because their folder listed the same name twice. */
  duplicateNames: number
  /** Entries left out because their names or sizes cannot be files here
   *  (absent from fakes that predate it). */
  unusableNames?: number
  /** File content held by the disk cache. */
  diskCacheBytes: number
  /** When the newest stored listing was fetched (the tree shown is as of
   *  then); absent or null without a store. */
  storedTreeAtMs?: number | null
  /** What is wrong with the mount's store, or null. */
  storeWarning?: string | null
  /** Offline folders and how far they are on disk; null without any. */
  offline?: OfflineProgress | null
}

/** The filesystem core of one mount, as the supervisor drives it. */
export interface SupervisedFs extends FileSystem {
  stats(): FsStats
  /** What the mount's store holds, and emptying it while mounted
   *  (`mountctl cache`); optional: a core without a store has neither. */
  storeStats?(): MountStoreStats
  clearStore?(): void
  /** Lets go of memory a read can do without (content also on disk, free
   *  read windows) when the daemon goes quiet. */
  releaseMemory?(): void
  invalidate(path?: string): void
  setBridgeAvailable(available: boolean): void
  close(): Promise<void> | void
}

export interface MountHandle {
  mountpoint: string
  unmount(): Promise<void>
  /** Which FUSE backend serves the mount (mountctl status and version), why,
   *  and how to get libfuse3 when it is not the one. */
  backend?: string
  backendWhy?: string
  backendFix?: string
  /** Kernel-side figures of the libfuse 3 backend; null on fuse-native. */
  kernelStats?(): KernelStats | null
  /** Operations that failed since the mount began (src/fuse/failed-ops.ts). */
  failedOps?(): FailedOpsSnapshot
}

/** What the libfuse 3 backend counts (src/fuse/libfuse3/mount.ts). */
export type KernelStats = Libfuse3Stats

export interface MountBackend {
  /** The bridge URL of a profile: its url, or what its megaPath resolves to.
   *  knownUrl: the last URL that worked, so a renamed folder is found by its handle. */
  resolveUrl(profile: Profile, logger: Logger, knownUrl?: string | null): Promise<string>
  /** Why the served root answers 404 (logged out, renamed, no longer served),
   *  as status shows it; optional: without it the reason stays generic. */
  explainRootMissing?(profile: Profile, url: string | null, logger: Logger): Promise<{ message: string; hint: string }>
  createRemote(profile: Profile, url: string, logger: Logger): Remote
  /** The account's storage figures for df, when the profile is a mount of
   *  MEGA's bridge (read-path.ts puts them in front of the remote); absent
   *  or null: the remote's own quota. */
  megaQuota?(profile: Profile): DfCache | null
  /** The persistent store of a profile's mount (src/vfs/store/), opened
   *  before mounting so that a mount with a stored tree starts without the
   *  bridge. Never throws (see MountStore.open). Optional: without it a mount
   *  starts empty. */
  openStore?(profile: Profile, stateDir: string, logger: Logger): MountStore | null
  /** onWrites: called (during createFs) with the upload queue's source
   *  when the mount is writable. */
  createFs(args: { remote: Remote; profile: Profile; logger: Logger; stateDir: string; onWrites?: (source: UploadSource) => void; store?: MountStore }): SupervisedFs
  mount(
    mountpoint: string,
    fs: SupervisedFs,
    /** onLost: the mount ended without unmount() (removed from outside),
     *  for backends that can tell. */
    options: { logger: Logger; readOnly: boolean; fsName: string; opTimeoutMs: number; kernelTtlS: number; negativeTtlS: number; kernelFileEntries?: number; onLost?: () => void },
  ): Promise<MountHandle>
  /** Lazily unmount a mount left behind by a killed daemon; no-op otherwise. */
  cleanStaleMount(mountpoint: string, logger: Logger): Promise<void>
  /** The system's mount table, to notice a mount removed from outside
   *  (src/daemon/mount-table-watch.ts); without it nothing is watched. */
  readMountTable?(): Promise<MountRecord[]>
}
