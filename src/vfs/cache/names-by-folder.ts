// Names a folder's latest listing had trouble with (listed twice, or not
// usable as files here), kept per folder for status: a folder's names are
// replaced by its next listing, so they stay counted after a listing
// expires or is dropped, until a new listing says otherwise.
import { childPath } from '../paths.js'

/** Paths status names as examples, at most. */
const MAX_PATHS = 20

export class NamesByFolder {
  readonly #byFolder = new Map<string, string[]>()

  /** The names of folder's latest listing (none: the folder is clean). */
  set(folder: string, names: string[]): void {
    if (names.length > 0) this.#byFolder.set(folder, names)
    else this.#byFolder.delete(folder)
  }

  has(folder: string): boolean {
    return this.#byFolder.has(folder)
  }

  clear(): void {
    this.#byFolder.clear()
  }

  /** How many in all, and up to 20 of their paths. */
  summary(): { count: number; paths: string[] } {
    let count = 0
    const paths: string[] = []
    for (const [folder, names] of this.#byFolder) {
      count += names.length
      for (const name of names) {
        if (paths.length < MAX_PATHS) paths.push(childPath(folder, name))
      }
    }
    return { count, paths }
  }
}
