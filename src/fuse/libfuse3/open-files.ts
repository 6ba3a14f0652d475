// The files the kernel holds open, by the handle number it was given at
// open or create. The kernel sends that number back with every read, write,
// flush, fsync and release of the file.
import { FsError } from '../../errors.js'
import type { FileHandle } from '../../vfs/types.js'

export class OpenFiles {
  readonly #handles = new Map<number, FileHandle>()
  /** Releases answered to the kernel but still under way. */
  readonly #releasing = new Set<Promise<void>>()
  #nextFh = 1

  get size(): number {
    return this.#handles.size
  }

  add(handle: FileHandle): number {
    const fh = this.#nextFh++
    this.#handles.set(fh, handle)
    return fh
  }

  /** fh 0 (none given, as in a getattr by path) is undefined too. */
  find(fh: number): FileHandle | undefined {
    return fh ? this.#handles.get(fh) : undefined
  }

  get(fh: number): FileHandle {
    const h = this.#handles.get(fh)
    if (!h) throw new FsError('EBADF', `no open file with handle ${fh}`)
    return h
  }

  /** Forgets the handle and releases it; releaseAll waits for it too. */
  release(fh: number): Promise<void> {
    const done = this.get(fh).release()
    this.#handles.delete(fh)
    const tracked = done.catch(() => {}).finally(() => this.#releasing.delete(tracked))
    this.#releasing.add(tracked)
    return done
  }

  /** A reply the kernel did not take (its caller was killed): the file it
   *  would have held open is released now. */
  async drop(fh: number): Promise<void> {
    if (this.#handles.has(fh)) await this.release(fh)
  }

  /** Release every handle (after the kernel connection ended), and wait
   *  for the releases already under way: the core is closed after this. */
  async releaseAll(): Promise<void> {
    const all = [...this.#handles.values()]
    this.#handles.clear()
    await Promise.allSettled([...all.map(h => h.release()), ...this.#releasing])
  }
}
