// Names MEGA holds twice in one folder (the bridge reaches only one of
// each), per folder, for status. Kept apart from the listings: status keeps
// counting hidden duplicates after a listing expires or is dropped, until a
// new listing says otherwise.

import type { Logger } from '../../log.js'
import { NamesByFolder } from './names-by-folder.js'

export class DuplicateNames {
  readonly #byFolder = new NamesByFolder()
  readonly #logger: Logger

  constructor(logger: Logger) {
    this.#logger = logger
  }

  has(folder: string): boolean {
    return this.#byFolder.has(folder)
  }

  /** What the folder's latest listing says; warn: log them (a new answer,
   *  not one read back from the store). */
  note(folder: string, names: string[], warn = true): void {
    this.#byFolder.set(folder, names)
    if (names.length > 0 && warn) {
      this.#logger.warn(
        { path: folder, duplicateNames: names },
        'MEGA holds several entries with the same name here; only one of each is reachable through the bridge, rename the others in MEGA to see them',
      )
    }
  }

  clear(): void {
    this.#byFolder.clear()
  }

  /** How many are hidden, and up to 20 of their paths. */
  stats(): { duplicateNames: number; duplicatePaths: string[] } {
    const { count, paths } = this.#byFolder.summary()
    return { duplicateNames: count, duplicatePaths: paths }
  }
}
