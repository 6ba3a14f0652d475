// Why an upload failed, kept as data: the kind decides what follows (the
// retry policy, upload-retry.ts) and what the user is told to do
// (src/daemon/upload-status.ts); the message is only for people. The item,
// the journal's records and `mountctl uploads` carry both.
import { UPLOAD_ERROR_KINDS, type UploadErrorKind } from '../../control/wire-types.js'
import { RemoteError, type RemoteErrorKind } from '../../remote/remote.js'

export type { UploadErrorKind } from '../../control/wire-types.js'

// Every kind of remote failure is a kind of upload failure (a new remote
// kind fails to compile here until the wire vocabulary has it).
type Covers<T extends UploadErrorKind> = T
export type RemoteKindsCovered = Covers<RemoteErrorKind>

export interface UploadFailure {
  kind: UploadErrorKind
  /** The HTTP status behind it, when there was one. */
  status?: number
  /** What happened, without the kind. */
  message: string
}

export function failureOf(error: unknown): UploadFailure {
  if (error instanceof RemoteError) return error.status !== undefined ? { kind: error.kind, status: error.status, message: error.message } : { kind: error.kind, message: error.message }
  return { kind: 'local', message: error instanceof Error ? error.message : String(error) }
}

/** The failure of a file whose writes failed (lost-ranges.ts). */
export function incompleteFailure(file: { lostBytes: number }): UploadFailure {
  return {
    kind: 'incomplete',
    message: `${file.lostBytes} bytes could not be written to the staging folder (its disk was full), so the file is not what the program wrote and is not uploaded`,
  }
}

/** The failure as the log and `mountctl uploads` show it:
 *  "no-space (507): over quota", "incomplete: ...", or a local error's
 *  message alone. */
export function failureText(f: UploadFailure): string {
  if (f.kind === 'local') return f.message
  return f.status !== undefined ? `${f.kind} (${f.status}): ${f.message}` : `${f.kind}: ${f.message}`
}

const KIND_PREFIX = /^([a-z-]+)(?: \((\d+)\))?: ([\s\S]*)$/

/** A failure a journal written before kinds were recorded holds only as
 *  its text (failureText's format): read back once, at load. This is the
 *  one place a message is parsed. */
export function failureFromText(text: string): UploadFailure {
  const m = KIND_PREFIX.exec(text)
  if (m && (UPLOAD_ERROR_KINDS as readonly string[]).includes(m[1]!) && m[1] !== 'local') {
    const kind = m[1] as UploadErrorKind
    return m[2] !== undefined ? { kind, status: Number(m[2]), message: m[3]! } : { kind, message: m[3]! }
  }
  return { kind: 'local', message: text }
}
