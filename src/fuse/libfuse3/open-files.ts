// The files the kernel holds open, by the handle number it was given at
// open or create. The kernel sends that number back with every read, write,
// flush, fsync and release of the file.
import { FsError } from '../../errors.js'
import type { FileHandle } from '../../vfs/types.js'

export class OpenFiles {
  readonly #handles = new Map<number, FileHandle>()
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

  /** Forgets the handle; the caller releases it. */
  take(fh: number): FileHandle | undefined {
    const h = this.#handles.get(fh)
    this.#handles.delete(fh)
    return h
  }

  /** A reply the kernel did not take (its caller was killed): the file it
   *  would have held open is released now. */
  async drop(fh: number): Promise<void> {
    await this.take(fh)?.release()
  }

  /** Release every handle (after the kernel connection ended). */
  async releaseAll(): Promise<void> {
    const all = [...this.#handles.values()]
    this.#handles.clear()
    await Promise.allSettled(all.map(h => h.release()))
  }
}
