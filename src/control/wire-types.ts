// What the daemon's replies carry, as zod schemas: the daemon builds these
// values, mountctl checks every reply against them (a reply it cannot read
// is an error that says so, never a wrong table). A field added later is
// optional here, so a newer mountctl still reads an older daemon's replies
// (after an upgrade the running daemon may be the old one).
import { z } from 'zod'

export const mountStateSchema = z.enum(['mounted', 'degraded', 'waiting', 'unmounted', 'failed'])
export type MountState = z.infer<typeof mountStateSchema>

/** An error for a person: what happened, and what to do about it. */
export const explainedSchema = z.object({ message: z.string(), hint: z.string() })

/** The `uploads` object of a mount in `mountctl status --json`. */
export const uploadCountsSchema = z.object({
  queued: z.number(),
  queuedBytes: z.number(),
  uploading: z.number(),
  uploadingBytes: z.number(),
  /** Bytes of the running uploads sent so far. */
  sentBytes: z.number(),
  failed: z.number(),
  failedBytes: z.number(),
  /** Uploads are held because the bridge is unreachable. */
  paused: z.boolean(),
  /** `mountctl unmount` is waiting for this queue to empty. */
  unmountWaiting: z.boolean(),
  /** The counts are what the journal held when the mount was closed: they
   *  upload at the next mount. */
  inJournal: z.boolean(),
  /** Files a program was still writing when the daemon stopped, recovered at
   *  this mount: each goes under a conflict name beside its original (which
   *  is left alone), or, when new, under its own name (originalPath null);
   *  uploaded: on MEGA now. Absent when none, and from older daemons. */
  unfinished: z.array(z.object({ path: z.string(), originalPath: z.string().nullable(), bytes: z.number(), uploaded: z.boolean() })).optional(),
})
export type UploadCounts = z.infer<typeof uploadCountsSchema>

export const uploadStateSchema = z.enum(['queued', 'uploading', 'failed'])
export type UploadState = z.infer<typeof uploadStateSchema>

/** Why an upload failed, as data (the message beside it is for people):
 *  the remote's failure kinds (src/remote/remote.ts, RemoteErrorKind), and
 *  'incomplete' (writes to the staged copy failed: never uploaded) and
 *  'local' (the staged copy could not be read). */
export const UPLOAD_ERROR_KINDS = [
  'bridge-down',
  'timeout',
  'root-missing',
  'not-found',
  'forbidden',
  'conflict',
  'exists',
  'busy',
  'no-space',
  'bad-reply',
  'other',
  'incomplete',
  'local',
] as const
export const uploadErrorKindSchema = z.enum(UPLOAD_ERROR_KINDS)
export type UploadErrorKind = z.infer<typeof uploadErrorKindSchema>

/** One file of `mountctl uploads`. */
export const uploadItemSchema = z.object({
  mount: z.string(),
  path: z.string(),
  state: uploadStateSchema,
  /** Why a queued file has not started: 'open' (a program still has it
   *  open for writing), 'waiting' (quiet delay or retry backoff), 'ready'
   *  (waiting for an upload slot, or for the bridge). */
  detail: z.enum(['open', 'waiting', 'ready']).nullable(),
  bytes: z.number(),
  sentBytes: z.number(),
  attempts: z.number(),
  /** The last failure as people read it, e.g. "no-space (507): over quota". */
  lastError: z.string().nullable(),
  /** Its kind, beside it (absent from a daemon older than this field). */
  errorKind: uploadErrorKindSchema.nullable().optional(),
  /** ISO 8601, when a waiting file is next tried; null otherwise. */
  nextAttemptAt: z.string().nullable(),
  /** Still being written when the daemon stopped: the file it was meant to
   *  replace (left alone), or null for a new file. Absent: a complete file. */
  unfinished: z.object({ originalPath: z.string().nullable() }).optional(),
})
export type UploadItem = z.infer<typeof uploadItemSchema>

/** Offline folders (profile field "offline"): files and bytes below them,
 *  how many are whole on disk, the state of the background download, when
 *  it last completed, and why it did not. */
export const offlineProgressSchema = z.object({
  folders: z.array(z.string()),
  state: z.enum(['waiting for the bridge', 'checking', 'downloading', 'up to date', 'failed']),
  files: z.number(),
  bytes: z.number(),
  pinnedFiles: z.number(),
  pinnedBytes: z.number(),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
})
export type OfflineStatus = z.infer<typeof offlineProgressSchema>

const mountStatusFields = {
  name: z.string(),
  mountpoint: z.string().nullable(),
  url: z.string().nullable(),
  megaPath: z.string().nullable(),
  state: mountStateSchema,
  /** Should be mounted: autostart, or mounted by `mountctl mount`. */
  wanted: z.boolean(),
  readOnly: z.boolean(),
  /** When the state last changed (ISO 8601). */
  since: z.string(),
  bridge: z.object({
    /** null until the first probe. */
    reachable: z.boolean().nullable(),
    latencyMs: z.number().nullable(),
    checkedAt: z.string().nullable(),
  }),
  /** diskBytes: file content in the disk cache (absent from older daemons). */
  cache: z.object({ entries: z.number(), hitRate: z.number(), diskBytes: z.number().optional() }),
  /** Entries hidden because a folder listed the same name twice. */
  duplicateNames: z.number(),
  /** Entries left out of listings because their names ('.', '..', a NUL,
   *  over 255 bytes) or sizes cannot be files here; absent from older daemons. */
  unusableNames: z.number().optional(),
  lastError: explainedSchema.nullable(),
  /** The upload queue; absent only from daemons older than this field. */
  uploads: uploadCountsSchema.optional(),
  /** Things that work but should not be so (plain HTTP to another computer);
   *  they do not change the exit status. Absent from older daemons. */
  warnings: z.array(z.string()).optional(),
  /** This profile's entry in the file is now invalid (a broken edit): the
   *  mount keeps running with the profile as it was until the file is
   *  fixed. Absent from older daemons. */
  profileError: explainedSchema.nullable().optional(),
  /** While mounted: the FUSE backend (libfuse3 or fuse-native), why it was
   *  chosen, how to get libfuse3 when it is not the one (else null), and
   *  the kernel's figures on libfuse3 (reads, lookups, ...: passed on as
   *  the backend gives them, see src/fuse/libfuse3/mount.ts). */
  fuse: z.object({ backend: z.string(), why: z.string(), fix: z.string().nullable(), kernel: z.unknown() }).optional(),
  /** While mounted: operations that failed for a reason the user did not
   *  choose (the bridge down or silent, a bad reply, the disk full, the
   *  server refusing: EIO, ETIMEDOUT, EHOSTDOWN, EAGAIN, ENOSPC, EACCES,
   *  EFBIG; never "no such file"), since the mount began: how many, by
   *  errno name, and the last one. See src/fuse/failed-ops.ts. */
  errors: z.object({
    count: z.number(),
    byCode: z.record(z.string(), z.number()),
    last: z.object({ at: z.string(), op: z.string(), path: z.string(), code: z.string(), message: z.string() }).nullable(),
  }).optional(),
  /** While mounted, the mount's persistent store: treeAt, when its newest
   *  listing was fetched (while degraded, the tree shown is as of then;
   *  null: nothing stored yet); warning, a store rebuilt at start or failed
   *  since (null when all is well). Absent from older daemons. */
  store: z.object({ treeAt: z.string().nullable(), warning: z.string().nullable() }).optional(),
  /** While mounted with offline folders (profile field "offline"). */
  offline: offlineProgressSchema.optional(),
}

/** The status of one profile as `mountctl status --json` prints it. Fields a
 *  newer daemon adds are kept (loose), so `status --json` passes them on. */
export const mountStatusSchema = z.looseObject(mountStatusFields)
export type MountStatus = z.infer<z.ZodObject<typeof mountStatusFields>>

export const statusReportSchema = z.object({
  daemon: z.object({
    pid: z.number(),
    configFile: z.string(),
    startedAt: z.string(),
    version: z.string(),
    /** The last reload found the file unusable as a whole (not JSON, bad
     *  "settings"): nothing was changed. Absent from older daemons. */
    profileFileError: explainedSchema.nullable().optional(),
    /** Memory given back when the mounts went quiet after a burst
     *  (src/daemon/idle-reducer.ts); null: not available (no libfuse 3
     *  binding). Absent from older daemons. */
    idleMemoryReducer: z.object({ reductions: z.number(), freedBytes: z.number(), lastPauseMs: z.number().nullable(), lastAtMs: z.number().nullable() }).nullable().optional(),
  }),
  mounts: z.array(mountStatusSchema),
})
export type StatusReport = z.infer<typeof statusReportSchema>

/** What a mount's store holds (src/vfs/store/mount-store.ts). */
export const storeStatsSchema = z.object({
  /** False: kept in memory only, nothing outlives the mount. */
  persistent: z.boolean(),
  /** The database file (null: in memory) and the cache files' folder. */
  file: z.string().nullable(),
  cacheFolder: z.string(),
  databaseBytes: z.number(),
  listings: z.number(),
  entries: z.number(),
  /** When the newest listing was fetched: the tree as of then. */
  newestFetchMs: z.number().nullable(),
  /** File content on disk; pinned: kept for offline folders. */
  files: z.number(),
  bytes: z.number(),
  pinnedFiles: z.number(),
  pinnedBytes: z.number(),
  /** What is wrong with the store, or null. */
  warning: z.string().nullable(),
})
export type StoreStats = z.infer<typeof storeStatsSchema>

/** What `mountctl cache NAME` shows (and `cache clear NAME`, after emptying). */
export const cacheReportSchema = z.object({
  name: z.string(),
  state: mountStateSchema,
  /** null: the mount has no store (the daemon cannot keep one). */
  store: storeStatsSchema.nullable(),
  diskCacheMaxBytes: z.number(),
  offline: offlineProgressSchema.nullable(),
  /** The store was emptied by this request. */
  cleared: z.boolean(),
})
export type CacheReport = z.infer<typeof cacheReportSchema>

/** What `reload` did, by profile name. */
export const reloadSummarySchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
  unchanged: z.array(z.string()),
  failed: z.array(z.string()),
})
export type ReloadSummary = z.infer<typeof reloadSummarySchema>

export function emptyUploadCounts(): UploadCounts {
  return { queued: 0, queuedBytes: 0, uploading: 0, uploadingBytes: 0, sentBytes: 0, failed: 0, failedBytes: 0, paused: false, unmountWaiting: false, inJournal: false }
}

/** True when every profile that should be mounted is mounted: exit status 0. */
export function allWantedMounted(mounts: MountStatus[]): boolean {
  return mounts.every(m => !m.wanted || m.state === 'mounted')
}

/** The file as written is not in effect (a broken edit): `status` exits 1. */
export function profileFileInvalid(report: StatusReport): boolean {
  return Boolean(report.daemon.profileFileError) || report.mounts.some(m => m.profileError)
}

/** Failed uploads hold data that has not reached MEGA: `status` exits 1. */
export function anyUploadFailed(mounts: MountStatus[]): boolean {
  return mounts.some(m => (m.uploads?.failed ?? 0) > 0)
}
