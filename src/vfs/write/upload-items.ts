// The items of the upload queue, one per staged file with changes, and the
// timers that make a waiting item ready (the quiet delay after the last
// close, or a retry's backoff). UploadQueue (upload-queue.ts) decides what
// happens to them; this holds them and their times, and moves them only
// through the state machine (upload-lifecycle.ts).
import type { Time, TimerHandle } from '../../clock.js'
import { isSameOrBelow } from '../paths.js'
import type { StagedFile } from './staging.js'
import type { UploadFailure } from './upload-failure.js'
import { apply, NEW, transition, type ItemState, type LifecycleEvent } from './upload-lifecycle.js'

export type { ItemState } from './upload-lifecycle.js'
export type AbortReason = 'rename' | 'discard' | 'close'

export interface Item {
  file: StagedFile
  state: ItemState
  writers: number
  dueMs: number | null
  timer: TimerHandle | null
  attempts: number
  transientFailures: number
  /** Why the last try failed; null once it is tried afresh. */
  error: UploadFailure | null
  /** bytes: the size sent (stopUpload waits for the answer once all is sent). */
  upload: { abort: AbortController; reason: AbortReason | null; bytes: number; sentBytes: number; done: Promise<void> } | null
}

/** A pending upload delay must not keep a process alive on its own: the
 *  daemon stays up for its own reasons, and tests and tools exit cleanly. */
export const BACKGROUND = { keepAlive: false }

export class UploadItems {
  readonly #items = new Map<StagedFile, Item>()
  #closed = false
  /** Paths (with what is below them) no upload may start for: a rename on
   *  the server is in progress there (UploadQueue.hold()). */
  readonly #held: string[] = []

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

  /** The item leaves the queue: the server has it, or it was dropped. */
  end(item: Item, event: 'uploaded' | 'discarded'): void {
    transition(item.state, event)
    this.cancelTimer(item)
    if (this.#items.get(item.file) === item) this.#items.delete(item.file)
  }

  values(): IterableIterator<Item> {
    return this.#items.values()
  }

  /** A new item: open for writing, or recovered from the journal at start. */
  add(file: StagedFile, event: 'opened' | 'recovered' | 'recovered-failed'): Item {
    const state = transition(NEW, event) as ItemState
    const item: Item = { file, state, writers: 0, dueMs: null, timer: null, attempts: 0, transientFailures: 0, error: null, upload: null }
    this.#items.set(file, item)
    return item
  }

  /** Moves item by event (a transition with no timer). */
  apply(item: Item, event: LifecycleEvent): void {
    apply(item, event)
  }

  /** No item is scheduled again; their timers stop. */
  close(): void {
    this.#closed = true
    for (const item of this.#items.values()) this.cancelTimer(item)
  }

  /** Waiting by event (closed, rescheduled, requeued, retried, ...), then
   *  ready after delayMs (at once when 0 or less). */
  schedule(item: Item, delayMs: number, event: LifecycleEvent): void {
    if (this.#closed) return
    this.cancelTimer(item)
    apply(item, event)
    item.dueMs = this.time.now() + delayMs
    if (delayMs <= 0) {
      this.due(item)
      return
    }
    item.timer = this.time.setTimeout(
      () => {
        item.timer = null
        if (item.state === 'waiting') this.due(item)
      },
      delayMs,
      BACKGROUND,
    )
    this.onChanged()
  }

  /** A waiting item is ready now (a drain, the bridge back, a retry). */
  hurry(item: Item): void {
    if (this.#closed) return
    this.cancelTimer(item)
    item.dueMs = this.time.now()
    this.due(item)
  }

  private due(item: Item): void {
    apply(item, 'due')
    this.onReady()
    this.onChanged()
  }

  cancelTimer(item: Item): void {
    item.timer?.cancel()
    item.timer = null
  }

  /** The ready item that has waited longest and is not held, or null. */
  nextReady(): Item | null {
    let next: Item | null = null
    for (const item of this.#items.values()) {
      if (item.state !== 'ready' || this.isHeld(item.file.path)) continue
      if (next === null || (item.dueMs ?? 0) < (next.dueMs ?? 0)) next = item
    }
    return next
  }

  /** No upload starts at or below these paths until unhold(paths). */
  hold(paths: string[]): void {
    this.#held.push(...paths)
  }

  unhold(paths: string[]): void {
    for (const p of paths) this.#held.splice(this.#held.indexOf(p), 1)
  }

  isHeld(path: string): boolean {
    return this.#held.some(p => isSameOrBelow(path, p))
  }
}
