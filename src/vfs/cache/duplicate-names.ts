// Names MEGA holds twice in one folder (the bridge reaches only one of
// each), per folder, for status. Kept apart from the listings: status keeps
// counting hidden duplicates after a listing expires or is dropped, until a
// new listing says otherwise.

import type { Logger } from '../../log.js'
import { childPath } from '../paths.js'

const MAX_DUPLICATE_PATHS = 20

export class DuplicateNames {
  readonly #byFolder = new Map<string, string[]>()
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
    if (names.length > 0) this.#byFolder.set(folder, names)
    else this.#byFolder.delete(folder)
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
    let duplicateNames = 0
    const duplicatePaths: string[] = []
    for (const [folder, names] of this.#byFolder) {
      duplicateNames += names.length
      for (const name of names) {
        if (duplicatePaths.length < MAX_DUPLICATE_PATHS) duplicatePaths.push(childPath(folder, name))
      }
    }
    return { duplicateNames, duplicatePaths }
  }
}
