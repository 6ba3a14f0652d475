// The items of the upload queue, one per staged file with changes, and the
// timers that make a waiting item ready (the quiet delay after the last
// close, or a retry's backoff). UploadQueue (upload-queue.ts) decides what
// happens to them; this holds them and their times.
import type { Time, TimerHandle } from '../../clock.js'
import type { StagedFile } from './staging.js'
import type { QueuedState } from './upload-view.js'

export type ItemState = QueuedState | 'uploading' | 'failed'
export type AbortReason = 'rename' | 'discard' | 'close'

export interface Item {
  file: StagedFile
  state: ItemState
  writers: number
  dueMs: number | null
  timer: TimerHandle | null
  attempts: number
  transientFailures: number
  lastError: string | null
  upload: { abort: AbortController; reason: AbortReason | null; sentBytes: number; done: Promise<void> } | null
}

/** A pending upload delay must not keep a process alive on its own: the
 *  daemon stays up for its own reasons, and tests and tools exit cleanly. */
export const BACKGROUND = { keepAlive: false }

export class UploadItems {
  readonly #items = new Map<StagedFile, Item>()
  #closed = false

  constructor(
    private readonly time: Time,
    /** An item became ready: start what the upload slots allow. */
    private readonly onReady: () => void,
    private readonly onChanged: () => void,
  ) {}

  get size(): number {
    return this.#items.size
  }

  get(file: StagedFile): Item | undefined {
    return this.#items.get(file)
  }

  has(file: StagedFile): boolean {
    return this.#items.has(file)
  }

  delete(file: StagedFile): void {
    this.#items.delete(file)
  }

  values(): IterableIterator<Item> {
    return this.#items.values()
  }

  /** A new item, open for writing. */
  add(file: StagedFile): Item {
    const item: Item = { file, state: 'open', writers: 0, dueMs: null, timer: null, attempts: 0, transientFailures: 0, lastError: null, upload: null }
    this.#items.set(file, item)
    return item
  }

  /** No item is scheduled again; their timers stop. */
  close(): void {
    this.#closed = true
    for (const item of this.#items.values()) this.cancelTimer(item)
  }

  /** Ready after delayMs (at once when 0 or less). */
  schedule(item: Item, delayMs: number): void {
    if (this.#closed) return
    this.cancelTimer(item)
    item.dueMs = this.time.now() + delayMs
    if (delayMs <= 0) {
      item.state = 'ready'
      this.onReady()
      this.onChanged()
      return
    }
    item.state = 'waiting'
    item.timer = this.time.setTimeout(
      () => {
        item.timer = null
        if (item.state !== 'waiting') return
        item.state = 'ready'
        this.onReady()
        this.onChanged()
      },
      delayMs,
      BACKGROUND,
    )
    this.onChanged()
  }

  cancelTimer(item: Item): void {
    item.timer?.cancel()
    item.timer = null
  }

  /** The ready item that has waited longest, or null. */
  nextReady(): Item | null {
    let next: Item | null = null
    for (const item of this.#items.values()) {
      if (item.state === 'ready' && (next === null || (item.dueMs ?? 0) < (next.dueMs ?? 0))) next = item
    }
    return next
  }
}
