// The health probe of one mount: stat('/') of the served folder, bounded by
// requestTimeoutMs on our own clock too, so a hung bridge ends as a timeout
// even if the remote never answers. It remembers the last outcome for status.
import type { Time } from '../clock.js'
import type { MountStatus } from '../control/wire-types.js'
import { RemoteError, type Remote } from '../remote/remote.js'

export type ProbeResult = { ok: true; latencyMs: number } | { ok: false; error: unknown }

export class BridgeProbe {
  /** The last outcome, as status shows it. */
  last: MountStatus['bridge'] = { reachable: null, latencyMs: null, checkedAt: null }
  #abort: AbortController | null = null

  constructor(
    private readonly time: Time,
    private readonly timeoutMs: number,
  ) {}

  probe(remote: Remote): Promise<ProbeResult> {
    const abort = new AbortController()
    this.#abort = abort
    const started = this.time.now()
    return new Promise<ProbeResult>(resolve => {
      let done = false
      const finish = (r: ProbeResult) => {
        if (done) return
        done = true
        timeout.cancel()
        if (this.#abort === abort) this.#abort = null
        const checkedAt = new Date(this.time.now()).toISOString()
        this.last = r.ok ? { reachable: true, latencyMs: r.latencyMs, checkedAt } : { reachable: false, latencyMs: null, checkedAt }
        resolve(r)
      }
      const timeout = this.time.setTimeout(() => {
        finish({ ok: false, error: new RemoteError('timeout', `no answer within ${this.timeoutMs} ms`) })
        abort.abort(new Error('probe timed out'))
      }, this.timeoutMs)
      abort.signal.addEventListener('abort', () => finish({ ok: false, error: abort.signal.reason }), { once: true })
      remote.stat('/', { signal: abort.signal }).then(
        () => finish({ ok: true, latencyMs: this.time.now() - started }),
        error => finish({ ok: false, error }),
      )
    })
  }

  /** Ends the probe in flight, as failed. */
  cancel(): void {
    this.#abort?.abort(new Error('cancelled'))
    this.#abort = null
  }
}
