// Whether the bridge is believed reachable, as the daemon's health check last
// saw it. While it is down, anything that needs the bridge fails at once with
// EHOSTDOWN instead of waiting for a request timeout, and requests already in
// flight are aborted so the processes blocked on them get their answer now.

import { FsError } from '../errors.js'

export class BridgeGate {
  #available = true
  #controller = new AbortController()

  get available(): boolean {
    return this.#available
  }

  setAvailable(available: boolean): void {
    if (available === this.#available) return
    this.#available = available
    if (!available) {
      this.#controller.abort(new FsError('EHOSTDOWN', 'the bridge is down (health check)'))
    } else {
      this.#controller = new AbortController()
    }
  }

  /** Throws EHOSTDOWN while the bridge is down. */
  check(what: string): void {
    if (!this.#available) throw new FsError('EHOSTDOWN', `${what}: the MEGAcmd bridge is down`)
  }

  /** Aborted when the bridge goes down; pass it to every remote call. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /** The error to report for a call that failed while the gate closed. */
  downError(what: string): FsError | null {
    return this.#available ? null : new FsError('EHOSTDOWN', `${what}: the MEGAcmd bridge is down`)
  }
}
