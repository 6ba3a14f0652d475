// The bridge's DELETE is permanent (MEGA's Rubbish Bin is bypassed, versions
// included), so by default a delete through the mount becomes a MOVE into a
// hidden folder at the served root:
//   /.megamount-trash/<YYYY-MM-DD>/<original path>
// The date is the UTC day of the delete. A name already taken there gets a
// suffix (' (2)', ' (3)', ...). Anything deleted inside the trash is deleted
// for good: that is how a user empties it. purge() removes dated folders older
// than the retention.

import type { Clock } from '../../clock.js'
import { systemClock } from '../../clock.js'
import type { DeleteMode } from '../../config/types.js'
import { silentLogger, type Logger } from '../../log.js'
import { RemoteError, type Remote } from '../../remote/remote.js'
import { parentOf } from '../write/staging.js'
import { ensureParentFolders } from '../write/upload-parents.js'

export const TRASH_FOLDER_NAME = '.megamount-trash'
export const TRASH_ROOT = '/' + TRASH_FOLDER_NAME
const DAY_MS = 24 * 60 * 60 * 1000
const DATE_FOLDER = /^\d{4}-\d{2}-\d{2}$/
/** Suffixes tried before giving up on a free name in the trash. */
const MAX_SUFFIX = 1000

/** The trash folder itself or anything inside it. */
export function isInTrash(path: string): boolean {
  return path === TRASH_ROOT || path.startsWith(TRASH_ROOT + '/')
}

/** 'YYYY-MM-DD' of a time, in UTC. */
export function trashDate(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10)
}

/** name with ' (n)' added: before the extension of a file, at the end of a
 *  folder's name ('a.txt' -> 'a (2).txt', 'photos.2024' folder -> 'photos.2024 (2)'). */
export function withSuffix(name: string, n: number, isDir: boolean): string {
  const dot = name.lastIndexOf('.')
  if (isDir || dot <= 0) return `${name} (${n})`
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`
}

export interface RemoveOptions {
  deleteMode: DeleteMode
  isDir: boolean
}

export interface PurgeOptions {
  retentionDays: number
  /** Defaults to the clock's now. */
  nowMs?: number
}

export class Trash {
  private readonly remote: Remote
  private readonly clock: Clock
  private readonly log: Logger

  constructor(remote: Remote, options: { clock?: Clock; logger?: Logger } = {}) {
    this.remote = remote
    this.clock = options.clock ?? systemClock
    this.log = (options.logger ?? silentLogger).child({ component: 'trash' })
  }

  /** Delete path as the profile says. Returns where it went in the trash,
   *  or null when it was deleted permanently. */
  async remove(path: string, options: RemoveOptions): Promise<string | null> {
    if (options.deleteMode === 'permanent' || isInTrash(path)) {
      await this.remote.delete(path)
      this.log.info({ path }, 'deleted permanently')
      return null
    }
    return this.moveToTrash(path, options.isDir)
  }

  /** MOVE path under today's trash folder, keeping its folders; returns the
   *  path it got there. */
  async moveToTrash(path: string, isDir: boolean): Promise<string> {
    if (path === '/' || isInTrash(path)) throw new RemoteError('forbidden', `${path} cannot be moved to the trash`)
    const target = `${TRASH_ROOT}/${trashDate(this.clock.now())}${path}`
    await ensureParentFolders(this.remote, target)
    const folder = parentOf(target)
    const name = target.slice(folder.length + 1)
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const candidate = n === 1 ? target : `${folder}/${withSuffix(name, n, isDir)}`
      try {
        await this.remote.move(path, candidate, { overwrite: false })
        this.log.info({ path, trashedTo: candidate }, 'moved to the trash')
        return candidate
      } catch (err) {
        if (!(err instanceof RemoteError) || err.kind !== 'exists') throw err
      }
    }
    throw new RemoteError('exists', `no free name for ${name} in ${folder} after ${MAX_SUFFIX} tries: empty the trash`)
  }

  /** Delete the dated trash folders older than retentionDays (a folder of
   *  day D goes once D is before today minus retentionDays). Returns the
   *  folders deleted. */
  async purge(options: PurgeOptions): Promise<string[]> {
    if (!Number.isFinite(options.retentionDays) || options.retentionDays < 0) {
      throw new RangeError(`trashRetentionDays must be a number of days >= 0, got ${options.retentionDays}`)
    }
    const cutoff = trashDate((options.nowMs ?? this.clock.now()) - options.retentionDays * DAY_MS)
    let entries
    try {
      entries = (await this.remote.list(TRASH_ROOT)).entries
    } catch (err) {
      if (err instanceof RemoteError && err.kind === 'not-found') return []
      throw err
    }
    const removed: string[] = []
    for (const entry of entries) {
      if (!entry.isDir || !DATE_FOLDER.test(entry.name) || entry.name >= cutoff) continue
      const path = `${TRASH_ROOT}/${entry.name}`
      await this.remote.delete(path)
      removed.push(path)
    }
    if (removed.length > 0) this.log.info({ removed, cutoff }, 'purged old trash')
    return removed
  }
}
