// Operations of a mount that failed for a reason the user did not choose (the
// bridge down or silent, a bad reply, the disk full, the server refusing),
// counted for `mountctl status`. Without it a monitor sees "mounted" while
// every `ls` in a folder answers "Input/output error"; the log has the
// detail, status says that it happened, how often, and the last one (as
// rclone's rc reports errors and lastError). Routine answers (no such file,
// exists, read-only mount, not empty) are what programs ask about: not
// counted.
import { isFsError, type FsErrorCode } from '../errors.js'

const COUNTED: ReadonlySet<FsErrorCode> = new Set<FsErrorCode>(['EIO', 'ETIMEDOUT', 'EHOSTDOWN', 'EAGAIN', 'ENOSPC', 'EACCES', 'EFBIG'])
const MESSAGE_MAX = 300

export interface FailedOp {
  at: string
  op: string
  path: string
  code: FsErrorCode
  message: string
}

export interface FailedOpsSnapshot {
  count: number
  byCode: Partial<Record<FsErrorCode, number>>
  last: FailedOp | null
}

export class FailedOps {
  readonly #now: () => number
  #count = 0
  readonly #byCode: Partial<Record<FsErrorCode, number>> = {}
  #last: FailedOp | null = null

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** An operation answered with an error: counted if it is a failure. */
  note(op: string, path: string, err: unknown): void {
    const code: FsErrorCode = isFsError(err) ? err.code : 'EIO'
    if (!COUNTED.has(code)) return
    this.#count++
    this.#byCode[code] = (this.#byCode[code] ?? 0) + 1
    const message = err instanceof Error ? err.message : String(err)
    this.#last = { at: new Date(this.#now()).toISOString(), op, path, code, message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 3)}...` : message }
  }

  /** Requests the backstop answered ETIMEDOUT (no operation of the core
   *  to name: the core never answered them). */
  noteTimedOut(count: number, message: string): void {
    this.#count += count
    this.#byCode.ETIMEDOUT = (this.#byCode.ETIMEDOUT ?? 0) + count
    this.#last = { at: new Date(this.#now()).toISOString(), op: 'request', path: '', code: 'ETIMEDOUT', message }
  }

  snapshot(): FailedOpsSnapshot {
    return { count: this.#count, byCode: { ...this.#byCode }, last: this.#last && { ...this.#last } }
  }
}
