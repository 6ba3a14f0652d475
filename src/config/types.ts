// A profile as the rest of the program sees it: validated, defaults applied,
// '~' expanded. The schema and loader (schema.ts, load.ts) produce these; the
// README and mounts.example.json document every field.

export type DeleteMode = 'trash' | 'permanent'

export interface Profile {
  /** Unique, safe in file names: [A-Za-z0-9._-], 1-64 chars. */
  name: string
  /** Bridge URL of the subtree, e.g. http://127.0.0.1:4443/f1Y2lIrD/Photos.
   *  Either url or megaPath is given (megaPath is resolved via mega-webdav). */
  url: string | null
  /** MEGA path such as /Photos, resolved through `mega-webdav`. */
  megaPath: string | null
  /** With megaPath: run `mega-webdav <path>` when the path is not served yet. */
  serveIfNeeded: boolean
  /** Absolute path, '~' expanded; created when missing. */
  mountpoint: string
  /** Mounted when the daemon starts or reloads. */
  autostart: boolean
  /** Every write is refused with EROFS. */
  readOnly: boolean
  /** Metadata (listings, attributes) is trusted this long. */
  cacheTtlMs: number
  /** Upper bound on cached metadata in entries: a listing counts one per
   *  child, a negative entry one. */
  cacheMaxEntries: number
  /** How long "no such name" answers are remembered. */
  negativeCacheTtlMs: number
  /** Bound on any single request that is not an upload: connect plus time
   *  without progress (idle), so a slow but moving transfer is not cut. */
  requestTimeoutMs: number
  /** Largest read-ahead window for sequential reads. */
  readAheadMaxBytes: number
  /** File content kept on local disk while mounted (disk-cache.ts); files
   *  up to half of it are kept. 0: no disk cache. */
  diskCacheMaxBytes: number
  /** Requests in flight to the bridge at once for this mount. */
  maxConcurrentRequests: number
  /** What a delete through the mount does: move to the hidden trash folder
   *  (default, recoverable) or DELETE permanently. */
  deleteMode: DeleteMode
  /** Trash entries older than this are purged by the daily job. */
  trashRetentionDays: number
  /** Delay after the last close before an upload starts, to coalesce rewrites. */
  uploadDelayMs: number
  /** Requests listing folders and fetching small files ahead of the user, in
   *  flight at once; never more than maxConcurrentRequests - 2. 0: no prefetch. */
  prefetchConcurrentRequests: number
  /** Subfolders of a listed folder waiting to be listed ahead. 0: off. */
  prefetchFoldersAhead: number
  /** Small files of a folder read in order fetched ahead of the reader. 0: off. */
  prefetchFilesAhead: number
  /** Bytes of small files fetched ahead of the reader. */
  prefetchBytesAhead: number
  /** Folders inside the mount ("/Documents") kept whole on disk and up to
   *  date, readable with the bridge down (src/vfs/offline/). */
  offline: string[]
  /** A folder's stored listing older than this is not shown ahead of the
   *  bridge (it is listed first, as on a first visit); while the bridge is
   *  down it is shown whatever its age (src/vfs/cache/metadata-cache.ts). */
  storedListingMaxAgeDays: number
}

/** Settings of the file that are not per mount. */
export interface DaemonSettings {
  /** Health probe interval for every mount. */
  healthIntervalSeconds: number
  /** Folder holding mega-webdav, mega-df, mega-whoami; null: search PATH. */
  megacmdPath: string | null
}

export interface Config {
  /** The file these came from, for messages. */
  file: string
  settings: DaemonSettings
  mounts: Profile[]
}

export const PROFILE_DEFAULTS = {
  serveIfNeeded: true,
  autostart: true,
  readOnly: false,
  cacheTtlMs: 60_000,
  cacheMaxEntries: 20_000,
  negativeCacheTtlMs: 30_000,
  requestTimeoutMs: 15_000,
  readAheadMaxBytes: 8 * 1024 * 1024,
  diskCacheMaxBytes: 2 * 1024 * 1024 * 1024,
  maxConcurrentRequests: 8,
  deleteMode: 'trash' as DeleteMode,
  trashRetentionDays: 30,
  uploadDelayMs: 2_000,
  prefetchConcurrentRequests: 6,
  prefetchFoldersAhead: 64,
  prefetchFilesAhead: 8,
  prefetchBytesAhead: 8 * 1024 * 1024,
  offline: [] as string[],
  storedListingMaxAgeDays: 7,
} satisfies Partial<Profile>

export const SETTINGS_DEFAULTS: DaemonSettings = {
  healthIntervalSeconds: 15,
  megacmdPath: null,
}
