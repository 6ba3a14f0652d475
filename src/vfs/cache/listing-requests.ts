// The listing requests in flight, one per folder. A request that a change
// overtook (a file just uploaded, a rename) is superseded: its answer may
// predate the change, so it is neither cached nor joined by later callers,
// and the callers who were waiting for it ask again (listUntilCurrent).
import type { FolderListing } from './folder-listing.js'

export interface Fetch {
  promise: Promise<FolderListing>
  superseded: boolean
  /** The answer goes into the memory LRU (not for background work). */
  memory: boolean
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
    const fetch: Fetch = { promise: Promise.resolve(null as never), superseded: false, memory }
    fetch.promise = run(fetch).finally(() => {
      if (this.#inflight.get(path) === fetch) this.#inflight.delete(path)
    })
    this.#inflight.set(path, fetch)
    return fetch
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
