// The metadata cache's options and figures (metadata-cache.ts).

import type { Clock, Time } from '../../clock.js'
import { PROFILE_DEFAULTS } from '../../config/types.js'
import type { Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { ListingStore } from '../store/listing-store.js'
import type { FsChangeListener } from '../types.js'

export interface MetadataCacheOptions {
  remote: Remote
  gate: BridgeGate
  clock: Clock
  logger: Logger
  /** Listings are trusted this long. */
  ttlMs: number
  /** "No such name" answers are trusted this long. */
  negativeTtlMs: number
  /** Bound on listings + negative entries together, in memory. */
  maxEntries: number
  /** Where listings are kept across restarts; none: memory only. */
  store?: ListingStore | null
  /** When changes made through the mount are written to the store.
   *  Default: systemTime. */
  time?: Time
  /** A stored listing older than this is not shown ahead of the bridge. */
  storedMaxAgeMs?: number
  /** Told of each listing fetched and each path invalidated, so caches in
   *  front of this one (the kernel's) can follow. */
  onChange?: FsChangeListener
}

export const DEFAULT_STORED_MAX_AGE_MS = PROFILE_DEFAULTS.storedListingMaxAgeDays * 86_400_000

export interface MetadataCacheStats {
  cacheEntries: number
  cacheHits: number
  cacheMisses: number
  duplicateNames: number
  duplicatePaths: string[]
  /** Entries left out of the latest listing of each folder seen because they
   *  cannot be files here (entry-checks.ts). */
  unusableNames: number
  /** Up to 20, printable. */
  unusablePaths: string[]
  /** When the newest stored listing was fetched: the tree is as of then. */
  storedTreeAtMs: number | null
}

export type KnownKind = 'dir' | 'file' | 'missing' | 'unknown'
