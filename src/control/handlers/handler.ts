// What every control handler sees: the daemon through this interface, and
// the request's args. One file per command; handlers/index.ts lists them.
import type { MountStatus, StatusReport } from '../../daemon/mount-status.js'
import type { UploadItem } from '../../daemon/upload-status.js'
import type { MountStoreStats } from '../../vfs/store/mount-store.js'

export interface ReloadSummary {
  added: string[]
  removed: string[]
  changed: string[]
  unchanged: string[]
  failed: string[]
}

/** What `mountctl cache NAME` shows. */
export interface CacheReport {
  name: string
  state: MountStatus['state']
  /** null: the mount has no store (the daemon cannot keep one). */
  store: MountStoreStats | null
  diskCacheMaxBytes: number
  offline: MountStatus['offline'] | null
  cleared: boolean
}

export interface ControlContext {
  /** Cached state only: must never wait on a bridge. */
  status(): StatusReport
  mount(name: string): Promise<MountStatus>
  /** Waits for the mount's uploads unless force; signal: the client left. */
  unmount(name: string, options?: { force?: boolean; signal?: AbortSignal }): Promise<MountStatus>
  reload(): Promise<ReloadSummary>
  refresh(name: string, path?: string): MountStatus
  /** The mount's store; emptied first with clear (safe while mounted). */
  cache(name: string, options?: { clear?: boolean }): CacheReport
  /** Snapshot of the upload queues: never waits on a bridge. */
  uploads(name?: string): UploadItem[]
  retryUploads(name: string, path?: string): Promise<{ retried: number }>
  /** dryRun: say what would be dropped, drop nothing. */
  discardUpload(name: string, path: string, options?: { dryRun?: boolean }): Promise<{ item: UploadItem; discarded: boolean }>
}

export interface ControlHandler {
  command: string
  /** signal is aborted when the client's connection closes: a handler that
   *  waits long stops waiting (and changes nothing it has not done yet). */
  handle(args: Record<string, unknown>, ctx: ControlContext, signal: AbortSignal): unknown
}

export { ControlError } from '../protocol.js'
