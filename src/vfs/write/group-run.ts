// One action run for many callers: whoever asks while a run is under way
// waits for the next one, which starts when the current ends and covers them
// all. Used for fsync of the staging folder: a copy of 1,000 files closes
// 1,000 files, and each needs its directory entry on disk, not a sync each.

export class GroupRun {
  readonly #action: () => Promise<void>
  #running: Promise<void> | null = null
  #next: Promise<void> | null = null

  constructor(action: () => Promise<void>) {
    this.#action = action
  }

  run(): Promise<void> {
    if (this.#next) return this.#next
    if (!this.#running) {
      this.#running = this.#action().finally(() => {
        this.#running = null
      })
      return this.#running
    }
    // A run already under way may have started before the caller's change.
    this.#next = this.#running
      .catch(() => {})
      .then(() => {
        this.#next = null
        return this.run()
      })
    return this.#next
  }
}
