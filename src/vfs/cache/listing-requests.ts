// The listing requests in flight, one per folder. A change this mount made
// to one child of a folder (an upload that ended, a create, a rename) while
// its listing is in flight is noted on the request and applied to the
// answer when it arrives: the server may or may not show it yet, and either
// way the answer with the change applied is the folder as it is now. A
// change whose effect on the answer is not known (a refresh, a folder moved
// above it) supersedes the request: its answer is neither cached nor joined
// by later callers, and the callers who were waiting for it ask again
// (listUntilCurrent).
import type { RemoteEntry } from '../../remote/remote.js'
import type { FolderListing } from './folder-listing.js'

export interface Fetch {
  promise: Promise<FolderListing>
  superseded: boolean
  /** The answer goes into the memory LRU (not for background work). */
  memory: boolean
  /** Changes to children made while the request was in flight, in order:
   *  [name, entry or null when gone]. */
  changes: Array<[string, RemoteEntry | null]>
}

/** Requests for one listing whose answers were overtaken by changes, at
 *  most: a folder that keeps changing still gets an answer. */
const OVERTAKEN_RETRIES = 4

export class ListingRequests {
  readonly #inflight = new Map<string, Fetch>()

  get(path: string): Fetch | undefined {
    return this.#inflight.get(path)
  }

  has(path: string): boolean {
    return this.#inflight.has(path)
  }

  begin(path: string, memory: boolean, run: (fetch: Fetch) => Promise<FolderListing>): Fetch {
    const fetch: Fetch = { promise: Promise.resolve(null as never), superseded: false, memory, changes: [] }
    fetch.promise = run(fetch).finally(() => {
      if (this.#inflight.get(path) === fetch) this.#inflight.delete(path)
    })
    this.#inflight.set(path, fetch)
    return fetch
  }

  /** A change to one child of folder, for its request in flight. */
  noteChange(folder: string, name: string, entry: RemoteEntry | null): void {
    this.#inflight.get(folder)?.changes.push([name, entry])
  }

  /** Requests for these folders may answer from before a change. */
  supersede(affected: (folder: string) => boolean): void {
    for (const [key, fetch] of this.#inflight) {
      if (!affected(key)) continue
      fetch.superseded = true
      this.#inflight.delete(key)
    }
  }
}

/** Asks (`once`: a listing at hand, or a request) until an answer was not
 *  overtaken, or OVERTAKEN_RETRIES times; overtaken: the last one was (it
 *  may not show the change). An answer overtaken by an upload that finished
 *  handed to an `ls` that began just before would miss the file, whose
 *  staged copy is gone by then. */
export async function listUntilCurrent(once: () => FolderListing | Fetch, firstAttempt = 1): Promise<{ listing: FolderListing; overtaken: boolean }> {
  for (let attempt = firstAttempt; ; attempt++) {
    const answer = once()
    if (!('promise' in answer)) return { listing: answer, overtaken: false }
    const listing = await answer.promise
    if (!answer.superseded || attempt >= OVERTAKEN_RETRIES) return { listing, overtaken: answer.superseded }
  }
}
