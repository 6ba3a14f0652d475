// Every operation that changes the remote goes through one WritePolicy, so
// write support (staging, uploads, trash) plugs in here without touching the
// read path. Until it exists, and forever on read-only profiles, the policy
// is RefuseWrites: everything answers EROFS.

import type { Clock } from '../../clock.js'
import type { Profile } from '../../config/types.js'
import { FsError } from '../../errors.js'
import type { Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { BridgeGate } from '../bridge-gate.js'
import type { ChunkCache } from '../cache/chunk-cache.js'
import type { MetadataCache } from '../cache/metadata-cache.js'
import type { Attr, DirEntries, FileHandle } from '../types.js'

export interface WritePolicy {
  create(path: string, mode: number): Promise<FileHandle>
  /** open(2) with O_WRONLY, O_RDWR or O_TRUNC. */
  openForWrite(path: string, flags: number): Promise<FileHandle>
  truncate(path: string, size: number): Promise<void>
  unlink(path: string): Promise<void>
  mkdir(path: string, mode: number): Promise<void>
  rmdir(path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  chmod(path: string, mode: number): Promise<void>
  chown(path: string, uid: number, gid: number): Promise<void>
  utimens(path: string, atimeMs: number, mtimeMs: number): Promise<void>
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
  profile: Profile
  logger: Logger
  clock: Clock
  /** Per-mount private folder for staged files. */
  stateDir: string
  gate: BridgeGate
  metadata: MetadataCache
  chunks: ChunkCache
}

export type WritePolicyFactory = (context: WriteContext) => WritePolicy

export class RefuseWrites implements WritePolicy {
  readonly #why: string

  constructor(readOnly: boolean) {
    this.#why = readOnly
      ? 'this mount is read-only (profile readOnly: true)'
      : 'writing is not supported by this version of megamount'
  }

  #refuse(op: string, path: string): never {
    throw new FsError('EROFS', `${op} ${path}: ${this.#why}`)
  }

  async create(path: string): Promise<FileHandle> {
    this.#refuse('create', path)
  }
  async openForWrite(path: string): Promise<FileHandle> {
    this.#refuse('open for writing', path)
  }
  async truncate(path: string): Promise<void> {
    this.#refuse('truncate', path)
  }
  async unlink(path: string): Promise<void> {
    this.#refuse('unlink', path)
  }
  async mkdir(path: string): Promise<void> {
    this.#refuse('mkdir', path)
  }
  async rmdir(path: string): Promise<void> {
    this.#refuse('rmdir', path)
  }
  async rename(from: string, to: string): Promise<void> {
    this.#refuse('rename', `${from} -> ${to}`)
  }
  async chmod(path: string): Promise<void> {
    this.#refuse('chmod', path)
  }
  async chown(path: string): Promise<void> {
    this.#refuse('chown', path)
  }
  async utimens(path: string): Promise<void> {
    this.#refuse('utimens', path)
  }
  async close(): Promise<void> {}
}
