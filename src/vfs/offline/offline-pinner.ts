// Offline folders (the profile's `offline` list): every file below them is
// kept whole in the disk cache, pinned (never evicted), and fetched again
// when it changes on the server, so the folders stay readable with MEGAcmd
// down. This is the "make available offline" of a cloud folder.
//
// One pass walks the folders with current listings (listed again once they
// are older than the listing TTL, without taking room in the memory cache),
// pins what is already whole on disk, and downloads the rest in 4 MiB pieces
// through the mount's prefetch slots, so the user's own requests always find
// a free one. After a complete walk, pinned versions that are no longer
// current (changed or removed on the server) are dropped. A pass runs at
// start, again one listing TTL after the previous one ended, and at once
// when the bridge comes back or the mount is refreshed.

import type { Time, TimerHandle } from '../../clock.js'
import type { Logger } from '../../log.js'
import type { Remote } from '../../remote/remote.js'
import type { Semaphore } from '../../remote/semaphore.js'
import type { BridgeGate } from '../bridge-gate.js'
import { fileVersionKey } from '../cache/chunk-cache.js'
import type { DiskCache } from '../cache/disk-cache.js'
import type { MetadataCache } from '../cache/metadata-cache.js'
import { childPath, isSameOrBelow, parentOf } from '../paths.js'

/** Bytes per download request. */
export const PIN_PIECE_BYTES = 4 * 1024 * 1024
/** Downloads in flight at once (the prefetch slots bound them too). */
const PIN_CONCURRENCY = 3

export type OfflineState = 'waiting for the bridge' | 'checking' | 'downloading' | 'up to date' | 'failed'

export interface OfflineProgress {
  folders: string[]
  state: OfflineState
  /** Files and bytes below the folders, as far as the walk has seen them. */
  files: number
  bytes: number
  /** Of those, held whole on disk. */
  pinnedFiles: number
  pinnedBytes: number
  /** When a pass last completed (everything pinned), or null. */
  checkedAtMs: number | null
  /** Why the latest pass did not complete, or null. */
  error: string | null
}

export interface OfflinePinnerOptions {
  /** Normalized mount paths. */
  folders: string[]
  metadata: MetadataCache
  remote: Remote
  gate: BridgeGate
  slots: Semaphore
  disk: DiskCache
  /** The next pass's wait, and when a pass completed. */
  time: Time
  logger: Logger
  /** Pause between the end of a pass and the next one. */
  rescanMs: number
}

/** What a check counts: files below the offline folders, and those whole on disk. */
type Tally = Pick<OfflineProgress, 'files' | 'bytes' | 'pinnedFiles' | 'pinnedBytes'>
const EMPTY_TALLY: Readonly<Tally> = { files: 0, bytes: 0, pinnedFiles: 0, pinnedBytes: 0 }

interface PinFile {
  path: string
  key: string
  size: number
}

function ancestorsOf(folder: string): string[] {
  const out: string[] = []
  for (let p = folder; p !== '/'; ) out.unshift((p = parentOf(p)))
  return out
}

/** Files pinned for folders no longer in the list become ordinary cache. */
export function unpinOutside(disk: DiskCache, folders: string[]): void {
  for (const file of disk.pinnedFiles()) {
    if (!folders.some(folder => isSameOrBelow(file.path, folder))) disk.pin(file.key, false)
  }
}

/** The pinner of a mount's offline folders; null without any, or without a
 *  disk cache to keep them in (then files pinned before become ordinary cache). */
export function offlinePinnerFor(folders: string[], disk: DiskCache | null, rest: Omit<OfflinePinnerOptions, 'folders' | 'disk'>): OfflinePinner | null {
  if (folders.length > 0 && disk) return new OfflinePinner({ ...rest, folders, disk })
  if (disk) unpinOutside(disk, [])
  return null
}

/** Progress of offline folders a mount cannot keep: its disk cache is off. */
export function offlineWithoutDiskCache(folders: string[]): OfflineProgress | null {
  if (folders.length === 0) return null
  const error = 'offline folders are kept in the disk cache, which is off: set diskCacheMaxBytes above 0'
  return { folders: [...folders], state: 'failed', files: 0, bytes: 0, pinnedFiles: 0, pinnedBytes: 0, checkedAtMs: null, error }
}

export class OfflinePinner {
  readonly #o: OfflinePinnerOptions
  #progress: OfflineProgress
  #timer: TimerHandle | null = null
  #running: Promise<void> | null = null
  #again = false
  #closed = false
  readonly #stop = new AbortController()

  constructor(options: OfflinePinnerOptions) {
    this.#o = options
    this.#progress = { folders: [...options.folders], state: 'checking', files: 0, bytes: 0, pinnedFiles: 0, pinnedBytes: 0, checkedAtMs: null, error: null }
    unpinOutside(options.disk, options.folders)
    this.#countPinned()
  }

  progress(): OfflineProgress {
    return { ...this.#progress, folders: [...this.#progress.folders] }
  }

  /** Start a pass now (at start, bridge back, refresh); one already running
   *  is followed by another. */
  wake(): void {
    if (this.#closed) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#timer?.cancel()
    this.#timer = null
    this.#running = this.#pass().finally(() => {
      this.#running = null
      if (this.#closed) return
      if (this.#again) {
        this.#again = false
        this.wake()
      } else if (this.#o.gate.available) {
        this.#timer = this.#o.time.setTimeout(() => this.wake(), this.#o.rescanMs, { keepAlive: false })
      }
    })
  }

  /** Resolves when the pass in progress, if any, has ended. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running
  }

  /** Stops; resolves once the pass in progress has given up. */
  async close(): Promise<void> {
    this.#closed = true
    this.#timer?.cancel()
    this.#timer = null
    this.#stop.abort(new Error('the mount is closing'))
    await this.idle()
  }

  async #pass(): Promise<void> {
    const { gate, logger } = this.#o
    if (!gate.available) {
      this.#progress.state = 'waiting for the bridge'
      return
    }
    try {
      // A first check counts in the open; a later one keeps the last totals
      // on show until it has its own, so status never counts down to zero
      // and back every listing TTL.
      const first = this.#progress.checkedAtMs === null
      this.#progress = { ...this.#progress, state: 'checking', error: null }
      const tally = first ? Object.assign(this.#progress, EMPTY_TALLY) : { ...EMPTY_TALLY }
      const missing = await this.#walk(tally)
      Object.assign(this.#progress, tally)
      this.#progress.state = 'downloading'
      await this.#download(missing)
      this.#progress = { ...this.#progress, state: 'up to date', checkedAtMs: this.#o.time.now() }
    } catch (err) {
      if (this.#closed) return
      const down = !gate.available
      this.#progress.state = down ? 'waiting for the bridge' : 'failed'
      this.#progress.error = down ? null : (err as Error).message
      this.#countPinned()
      if (!down) logger.warn({ err }, 'keeping offline folders on disk failed; trying again later')
    }
  }

  /** Lists every folder below the offline ones and returns the files not
   *  whole on disk; pins those that are, drops pinned versions that are no
   *  longer current. */
  async #walk(tally: Tally): Promise<PinFile[]> {
    const { metadata, disk } = this.#o
    const current = new Set<string>()
    const missing: PinFile[] = []
    // The folders above are stored too, so the way to an offline folder can
    // be browsed with the bridge down.
    const above = new Set(this.#o.folders.flatMap(ancestorsOf))
    for (const folder of above) await metadata.listBehind(folder)
    const queue = [...this.#o.folders]
    while (queue.length > 0) {
      const folder = queue.shift()!
      const listing = await metadata.listBehind(folder)
      for (const name of listing.names) {
        const entry = listing.byName.get(name)!
        const path = childPath(folder, name)
        if (entry.isDir) {
          queue.push(path)
          continue
        }
        const key = fileVersionKey(path, entry)
        current.add(key)
        tally.files++
        tally.bytes += entry.size
        if (disk.holdsWhole(key, entry.size)) {
          disk.pin(key, true)
          tally.pinnedFiles++
          tally.pinnedBytes += entry.size
        } else {
          missing.push({ path, key, size: entry.size })
        }
      }
    }
    for (const file of disk.pinnedFiles()) {
      if (!current.has(file.key) && this.#o.folders.some(folder => isSameOrBelow(file.path, folder))) disk.dropVersion(file.key)
    }
    return missing
  }

  async #download(files: PinFile[]): Promise<void> {
    const pieces = files.flatMap(file => Array.from({ length: Math.ceil(file.size / PIN_PIECE_BYTES) }, (_, i) => ({ file, offset: i * PIN_PIECE_BYTES })))
    // Pieces of each file still to finish; the file counts once its last one has.
    const left = new Map(files.map(file => [file, Math.ceil(file.size / PIN_PIECE_BYTES)]))
    let next = 0
    let failure: unknown = null
    const worker = async () => {
      while (next < pieces.length && failure === null && !this.#closed) {
        const { file, offset } = pieces[next++]!
        try {
          await this.#piece(file, offset)
          const remaining = left.get(file)! - 1
          left.set(file, remaining)
          if (remaining === 0) this.#fileProgress(file)
        } catch (err) {
          failure ??= err
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(PIN_CONCURRENCY, pieces.length) }, worker))
    if (failure !== null) throw failure
    for (const file of files) {
      if (!this.#o.disk.holdsWhole(file.key, file.size)) throw new Error(`${file.path} could not be kept on disk (is the disk full?)`)
    }
  }

  async #piece(file: PinFile, offset: number): Promise<void> {
    const { remote, gate, slots, disk } = this.#o
    const end = Math.min(file.size, offset + PIN_PIECE_BYTES)
    const start = disk.cachedEnd(file.key, offset)
    if (start < end) {
      const signal = AbortSignal.any([gate.signal, this.#stop.signal])
      const release = await slots.acquire(signal)
      try {
        gate.check(`keep ${file.path} offline`)
        const data = await remote.read(file.path, start, end - start, { signal })
        // Waiting for the disk keeps at most PIN_CONCURRENCY pieces in memory.
        await disk.storeNow(file.key, file.path, file.size, start, data, { pinned: true })
      } finally {
        release()
      }
    }
  }

  #fileProgress(file: PinFile): void {
    if (!this.#o.disk.holdsWhole(file.key, file.size)) return
    this.#o.disk.pin(file.key, true)
    this.#progress.pinnedFiles++
    this.#progress.pinnedBytes += file.size
  }

  /** What is pinned on disk now, when no walk says more. */
  #countPinned(): void {
    const pinned = this.#o.disk.pinnedFiles()
    this.#progress.pinnedFiles = pinned.length
    this.#progress.pinnedBytes = pinned.reduce((a, f) => a + f.bytes, 0)
  }
}
