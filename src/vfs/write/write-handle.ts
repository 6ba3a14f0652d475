// An open file that may write: every read and write goes to the staged copy
// on local disk (staging-file.ts), never straight to the server. The upload
// is the queue's business and starts after the last release.
//
// The kernel may call flush several times per open (once per close of a
// dup'd descriptor) and release exactly once: only release ends the write.

import { constants as fsConstants } from 'node:fs'
import { FsError } from '../../errors.js'
import type { StagedFile } from './staging.js'
import type { Attr, FileHandle } from '../types.js'
import type { UploadQueue } from './upload-queue.js'

export interface WriteHandleOptions {
  file: StagedFile
  queue: UploadQueue
  flags: number
  /** Attributes of the staged file as the rest of the mount shows them. */
  attrOf: (file: StagedFile) => Attr
  /** False for a read-only open of a staged file: it neither writes nor
   *  holds the upload back. Default true. */
  writable?: boolean
}

export class WriteFileHandle implements FileHandle {
  readonly #file: StagedFile
  readonly #queue: UploadQueue
  readonly #append: boolean
  readonly #attrOf: (file: StagedFile) => Attr
  readonly #writable: boolean
  #released = false

  constructor(options: WriteHandleOptions) {
    this.#file = options.file
    this.#queue = options.queue
    this.#append = (options.flags & fsConstants.O_APPEND) !== 0
    this.#attrOf = options.attrOf
    this.#writable = options.writable ?? true
    this.#file.hold()
    if (this.#writable) this.#queue.openForWrite(this.#file)
  }

  read(buffer: Buffer, length: number, position: number): Promise<number> {
    return this.#file.read(buffer, length, position)
  }

  async write(buffer: Buffer, length: number, position: number): Promise<number> {
    if (!this.#writable) throw new FsError('EBADF', `${this.#file.path} is open read-only`)
    // O_APPEND: every write lands at the end, whatever offset the kernel sent.
    return this.#file.write(buffer, length, this.#append ? this.#file.size : position)
  }

  async truncate(size: number): Promise<void> {
    if (!this.#writable) throw new FsError('EBADF', `${this.#file.path} is open read-only`)
    return this.#file.truncate(size)
  }

  async getattr(): Promise<Attr> {
    return this.#attrOf(this.#file)
  }

  /** Nothing to push: the data is already in the staged file. */
  async flush(): Promise<void> {}

  /** The staged data and its journal entry reach the disk: the write
   *  survives a power loss from here on. */
  fsync(): Promise<void> {
    return this.#queue.makeDurable(this.#file)
  }

  async release(): Promise<void> {
    if (this.#released) return
    this.#released = true
    if (this.#writable) await this.#queue.closeForWrite(this.#file)
    await this.#file.letGo()
  }
}
