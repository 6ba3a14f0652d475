// The items of the upload queue, one per staged file with changes, and the
// timers that make a waiting item ready (the quiet delay after the last
// close, or a retry's backoff). UploadQueue (upload-queue.ts) decides what
// happens to them; this holds them and their times, and moves them only
// through the state machine (upload-lifecycle.ts).
//
// While a copy is running (files opened or closed for writing within the
// quiet delay), ready items wait for it to end, up to busyMaxHoldMs past
// their own due time: an upload's HTTP work on the daemon's one JavaScript
// thread, and the server's on a small machine's cores, otherwise slowed each
// file of the copy (rsync of 2,000 small files took twice as long). The data
// is staged and journaled meanwhile, as in any wait.
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
  /** Made ready at once (a retry, the bridge back, a drain): sent without
   *  waiting for a running copy. */
  atOnce: boolean
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
  /** When a file was last opened or closed for writing. */
  #lastWriteMs = Number.NEGATIVE_INFINITY
  #busyTimer: TimerHandle | null = null

  constructor(
    private readonly time: Time,
    /** An item became ready: start what the upload slots allow. */
    private readonly onReady: () => void,
    private readonly onChanged: () => void,
    /** How long after a file was opened or closed for writing the mount
     *  counts as busy with a copy, and the longest a ready item waits for
     *  it to end (both 0: never held). */
    private readonly busy: { quietMs: number; maxHoldMs: number } = { quietMs: 0, maxHoldMs: 0 },
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
    const item: Item = { file, state, writers: 0, dueMs: null, timer: null, attempts: 0, transientFailures: 0, atOnce: false, error: null, upload: null }
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
    this.#busyTimer?.cancel()
    this.#busyTimer = null
  }

  /** A handle opened file for writing (its item, made when new). */
  opened(file: StagedFile): Item {
    const item = this.#items.get(file) ?? this.add(file, 'opened')
    item.writers++
    this.#lastWriteMs = this.time.now()
    return item
  }

  /** A handle that could write file was released (its item, if any). */
  closed(file: StagedFile): Item | undefined {
    const item = this.#items.get(file)
    if (!item) return undefined
    item.writers = Math.max(0, item.writers - 1)
    this.#lastWriteMs = this.time.now()
    return item
  }

  /** Waiting by event (closed, rescheduled, requeued, retried, ...), then
   *  ready after delayMs (at once when 0 or less). */
  schedule(item: Item, delayMs: number, event: LifecycleEvent): void {
    if (this.#closed) return
    this.cancelTimer(item)
    apply(item, event)
    item.dueMs = this.time.now() + delayMs
    item.atOnce = delayMs <= 0
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
    item.atOnce = true
    this.due(item)
  }

  private due(item: Item): void {
    apply(item, 'due')
    // Uploads already wait for a running copy, and the wake-up set for the
    // oldest ready item comes no later than this one needs (its due time
    // and the copy's last write are no earlier): looking for a ready item
    // now would scan every item once per file of the copy.
    if (item.atOnce || this.#busyTimer === null) this.onReady()
    this.onChanged()
  }

  cancelTimer(item: Item): void {
    item.timer?.cancel()
    item.timer = null
  }

  /** The ready item that has waited longest and is not held, or null.
   *  urgent (a drain): also while a copy is running. */
  nextReady(urgent = false): Item | null {
    let next: Item | null = null
    let asked: Item | null = null
    const older = (a: Item, b: Item | null) => b === null || (a.dueMs ?? 0) < (b.dueMs ?? 0)
    for (const item of this.#items.values()) {
      if (item.state !== 'ready' || this.isHeld(item.file.path)) continue
      if (older(item, next)) next = item
      if (item.atOnce && older(item, asked)) asked = item
    }
    if (next === null || urgent) return next
    // What the user asked for now (mountctl retry) does not wait for a copy.
    if (asked) return asked
    return this.#waitForCopy(next.dueMs ?? 0) ? null : next
  }

  /** True while uploads wait for a running copy; then onReady comes again
   *  when the wait ends. */
  #waitForCopy(dueMs: number): boolean {
    const now = this.time.now()
    const until = Math.min(this.#lastWriteMs + this.busy.quietMs, dueMs + this.busy.maxHoldMs)
    if (until <= now) return false
    if (!this.#closed) {
      this.#busyTimer?.cancel()
      this.#busyTimer = this.time.setTimeout(
        () => {
          this.#busyTimer = null
          this.onReady()
        },
        until - now,
        BACKGROUND,
      )
    }
    return true
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
