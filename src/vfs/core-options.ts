// The options the filesystem core reads, picked from a profile, so the core
// sees nothing else of it (the daemon's fields, the URL, the mountpoint).
// Their defaults and help are in src/config/options.ts.
import type { InternalOptions, Profile } from '../config/types.js'

/** The part of a profile the core takes. */
export function coreOptionsOf(p: Profile) {
  return {
    readOnly: p.readOnly,
    cacheTtlMs: p.cacheTtlMs,
    cacheMaxEntries: p.cacheMaxEntries,
    negativeCacheTtlMs: p.negativeCacheTtlMs,
    readAheadMaxBytes: p.readAheadMaxBytes,
    diskCacheMaxBytes: p.diskCacheMaxBytes,
    maxConcurrentRequests: p.maxConcurrentRequests,
    deleteMode: p.deleteMode,
    trashRetentionDays: p.trashRetentionDays,
    uploadDelayMs: p.uploadDelayMs,
    prefetchConcurrentRequests: p.prefetchConcurrentRequests,
    prefetchFoldersAhead: p.prefetchFoldersAhead,
    prefetchFilesAhead: p.prefetchFilesAhead,
    prefetchBytesAhead: p.prefetchBytesAhead,
    offline: p.offline,
    storedListingMaxAgeDays: p.storedListingMaxAgeDays,
  }
}

/** Internal settings the core reads; absent: INTERNAL_DEFAULTS. */
export type CoreInternalOptions = Partial<Pick<InternalOptions, 'readCacheMaxBytes' | 'quotaFirstWaitMs' | 'userSlotsKept'>>

export type CoreOptions = ReturnType<typeof coreOptionsOf> & CoreInternalOptions
