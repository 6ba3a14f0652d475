// Why a MEGAcmd command failed, in the few kinds a caller acts on differently:
// install MEGAcmd, start its server, log in, serve the folder, or wait.
import { KindError } from '../errors.js'

export type MegaCmdErrorKind =
  | 'megacmd-missing' // the mega-* command does not exist
  | 'megacmd-not-running' // the client cannot reach MEGAcmd's server
  | 'not-logged-in' // the server has no session
  | 'not-served' // the MEGA path is not served over WebDAV (and may not be served now)
  | 'path-not-found' // the MEGA path does not exist in the account
  | 'timeout' // the command hung and was killed
  | 'unexpected-output' // it ran, but printed something we cannot parse

export class MegaCmdError extends KindError<MegaCmdErrorKind> {
  /** What the user should do, as a command or a sentence. */
  readonly fix: string | undefined
  constructor(kind: MegaCmdErrorKind, message: string, options?: { fix?: string; cause?: unknown }) {
    super(kind, message, { cause: options?.cause })
    this.fix = options?.fix
  }
}

export function isMegaCmdError(err: unknown, kind?: MegaCmdErrorKind): err is MegaCmdError {
  return err instanceof MegaCmdError && (kind === undefined || err.kind === kind)
}
