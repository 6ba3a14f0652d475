// Whether the bridge is believed reachable, as the daemon's health check last
// saw it. While it is down, anything that needs the bridge fails at once with
// EHOSTDOWN instead of waiting for a request timeout, and requests already in
// flight are aborted so the processes blocked on them get their answer now.

import { setMaxListeners } from 'node:events'
import { FsError } from '../errors.js'

export class BridgeGate {
  #available = true
  #controller = newController()

  get available(): boolean {
    return this.#available
  }

  setAvailable(available: boolean): void {
    if (available === this.#available) return
    this.#available = available
    if (!available) {
      this.#controller.abort(new FsError('EHOSTDOWN', 'the bridge is down (health check)'))
    } else {
      this.#controller = newController()
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

/** Every remote call of the mount listens on this one signal, so a busy mount
 *  (folder prefetch, fills, a copy in) has dozens of listeners at once, each
 *  removed when its call ends. Node's "possible memory leak" warning past 10
 *  would be a false alarm in the daemon's log. */
function newController(): AbortController {
  const controller = new AbortController()
  setMaxListeners(0, controller.signal)
  return controller
}
