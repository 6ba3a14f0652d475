// Every operation that changes the remote goes through one WritePolicy, so
// write support (staging, uploads, trash) plugs in here without touching the
// read path. Until it exists, and forever on read-only profiles, the policy
// is RefuseWrites: everything answers EROFS.

import type { Time } from '../../clock.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { ChunkCache } from '../cache/chunk-cache.js'
import type { CoreOptions } from '../core-options.js'
import type { MetadataCache } from '../cache/metadata-cache.js'
import type { Attr, DirEntries, FileChanges, FileHandle } from '../types.js'

export interface WritePolicy extends FileChanges {
  /** open(2) with O_WRONLY, O_RDWR or O_TRUNC. */
  openForWrite(path: string, flags: number): Promise<FileHandle>
  /** Finish pending work (uploads) before the mount goes away. */
  close(): Promise<void>
  /** Read-your-writes (optional): attributes of a path whose new content is
   *  not on the server yet, else null. Asked before the metadata cache. */
  stagedAttr?(path: string): Attr | null
  /** Read-your-writes (optional): a folder's listing with files not on the
   *  server yet added, and entries the mount hides removed. */
  overlayListing?(path: string, listing: DirEntries): DirEntries
  /** Read-your-writes (optional): a read-only handle on content not on the
   *  server yet, else null. */
  openStaged?(path: string, flags: number): FileHandle | null
  /** Told (optionally) what the daemon's health check found, e.g. to hold
   *  uploads while the bridge is down and send them when it is back. */
  setBridgeAvailable?(available: boolean): void
}

/** What a write implementation gets from MegaFs: the same remote, caches
 *  and bridge state the read path uses. After changing path on the remote,
 *  tell metadata (applyChange with what is there now, or invalidate when
 *  that is not known) and chunks.dropPath(path). */
export interface WriteContext {
  remote: Remote
  /** What writes read of the profile. */
  options: Pick<CoreOptions, 'uploadDelayMs' | 'deleteMode' | 'trashRetentionDays'>
  logger: Logger
  time: Time
  /** Per-mount private folder for staged files. */
  stateDir: string
  gate: BridgeGate
  metadata: MetadataCache
  chunks: ChunkCache
}

export type WritePolicyFactory = (context: WriteContext) => WritePolicy

/** Every write answers EROFS: a read-only profile, or a core given no write
 *  support. */
export function refuseWrites(readOnly: boolean): WritePolicy {
  const why = readOnly ? 'this mount is read-only (profile readOnly: true)' : 'writing is not supported by this version of megamount'
  const refuse = (op: string, path: string): never => {
    throw new FsError('EROFS', `${op} ${path}: ${why}`)
  }
  const refusing = (op: string) => async (path: string) => refuse(op, path)
  return {
    create: refusing('create'), openForWrite: refusing('open for writing'), truncate: refusing('truncate'),
    unlink: refusing('unlink'), mkdir: refusing('mkdir'), rmdir: refusing('rmdir'),
    chmod: refusing('chmod'), chown: refusing('chown'), utimens: refusing('utimens'),
    rename: async (from, to) => refuse('rename', `${from} -> ${to}`),
    close: async () => {},
  }
}
