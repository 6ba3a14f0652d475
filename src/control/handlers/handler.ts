// What every control handler sees: the daemon through this interface, and
// the request's args. One file per command; handlers/index.ts lists them.
import type { MountStatus, StatusReport } from '../../daemon/mount-status.js'

export interface ReloadSummary {
  added: string[]
  removed: string[]
  changed: string[]
  unchanged: string[]
  failed: string[]
}

export interface ControlContext {
  /** Cached state only: must never wait on a bridge. */
  status(): StatusReport
  mount(name: string): Promise<MountStatus>
  unmount(name: string): Promise<MountStatus>
  reload(): Promise<ReloadSummary>
  refresh(name: string, path?: string): MountStatus
}

export interface ControlHandler {
  command: string
  handle(args: Record<string, unknown>, ctx: ControlContext): unknown
}

export { ControlError } from '../protocol.js'
