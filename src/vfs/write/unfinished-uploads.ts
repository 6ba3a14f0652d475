// The files recovered unfinished at this start (unfinished.ts), kept for
// status and `mountctl uploads` until the next start, uploaded or not: the
// user is told where each went even after its upload ended.
import type { StagedFile } from './staging.js'
import type { UnfinishedUpload } from './upload-view.js'

export class UnfinishedUploads {
  readonly #files = new Map<StagedFile, UnfinishedUpload>()

  get size(): number {
    return this.#files.size
  }

  /** Keeps file if it was recovered unfinished. */
  add(file: StagedFile): void {
    if (file.unfinished) this.#files.set(file, { path: file.path, originalPath: file.unfinished.originalPath, bytes: file.size, uploaded: false })
  }

  /** file is on the server under path now; its record, if it is one. */
  uploaded(file: StagedFile, path: string): UnfinishedUpload | undefined {
    const recovered = this.#files.get(file)
    if (recovered) Object.assign(recovered, { path, bytes: file.size, uploaded: true })
    return recovered
  }

  /** A removed file keeps the path and size it had when it went. */
  list(): UnfinishedUpload[] {
    return [...this.#files].map(([file, u]) => ({ ...u, path: file.removed ? u.path : file.path, bytes: file.removed ? u.bytes : file.size }))
  }
}
