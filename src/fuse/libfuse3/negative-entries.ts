// "No such name" answers the kernel keeps (negative dentries). Programs ask
// for a missing name again and again: rsync looks a file up three times
// before it creates it, a file manager probes .hidden and thumbnails in every
// folder; each was a round trip into JavaScript for an answer the core had
// cached. The kernel keeps each "no" as long as the core does
// (negativeCacheTtlMs, at most the kernel TTL); names told so are recorded
// here until then, so that what ends the core's copy (a listing that has the
// name, an upload, a refresh) takes the kernel's back at once
// (invalidator.ts). The kernel asks again anyway before an O_EXCL create or
// a rename onto the name.
import type { Clock } from '../../clock.js'

/** Names recorded at most; past it "no" is answered without a kernel copy. */
const MAX_RECORDED = 10_000

export class NegativeEntries {
  readonly #clock: Clock
  readonly #ttlMs: number
  /** parent inode -> name -> when the kernel's copy expires (ms). */
  readonly #byFolder = new Map<number, Map<string, number>>()
  #count = 0

  constructor(clock: Clock, ttlS: number) {
    this.#clock = clock
    this.#ttlMs = ttlS * 1000
  }

  /** Records that the kernel may keep "no such name"; false when too many
   *  are recorded (then the answer must be a plain ENOENT). */
  add(parentIno: number, name: string): boolean {
    if (this.#ttlMs <= 0) return false
    if (this.#count >= MAX_RECORDED) this.#prune()
    if (this.#count >= MAX_RECORDED) return false
    let names = this.#byFolder.get(parentIno)
    if (!names) this.#byFolder.set(parentIno, (names = new Map()))
    if (!names.has(name)) this.#count++
    names.set(name, this.#clock.now() + this.#ttlMs)
    return true
  }

  /** The kernel now knows the name exists (an entry it was given). */
  drop(parentIno: number, name: string): void {
    const names = this.#byFolder.get(parentIno)
    if (names?.delete(name)) {
      this.#count--
      if (names.size === 0) this.#byFolder.delete(parentIno)
    }
  }

  /** Whether the kernel may still hold "no" for this name; forgets it. */
  take(parentIno: number, name: string): boolean {
    const expires = this.#byFolder.get(parentIno)?.get(name)
    this.drop(parentIno, name)
    return expires !== undefined && expires > this.#clock.now()
  }

  /** The names of a folder the kernel may still hold "no" for; forgets all. */
  takeFolder(parentIno: number): string[] {
    const names = this.#byFolder.get(parentIno)
    if (!names) return []
    this.#byFolder.delete(parentIno)
    this.#count -= names.size
    const now = this.#clock.now()
    return [...names].filter(([, expires]) => expires > now).map(([name]) => name)
  }

  get size(): number {
    return this.#count
  }

  #prune(): void {
    const now = this.#clock.now()
    for (const [ino, names] of this.#byFolder) {
      for (const [name, expires] of names) {
        if (expires <= now) {
          names.delete(name)
          this.#count--
        }
      }
      if (names.size === 0) this.#byFolder.delete(ino)
    }
  }
}
