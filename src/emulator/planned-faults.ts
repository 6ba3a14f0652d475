// The faults a test asked the emulator for (BridgeEmulator.failNext and
// setBodyFault), each taken by the request it applies to.
import { BODY_FAULTS, isBodyFault, type BodyFault } from './body-faults.js'

export class PlannedFaults {
  readonly #failures = new Map<string, Array<{ status: number; remaining: number }>>()
  #bodyFault: { fault: BodyFault; remaining: number } | null = null

  /** The next `count` requests with this method are answered `status`;
   *  a count of 0 ends the failures planned for the method. */
  failNext(method: string, status: number, count: number): void {
    const key = method.toUpperCase()
    if (count <= 0) {
      this.#failures.delete(key)
      return
    }
    const queue = this.#failures.get(key) ?? []
    queue.push({ status, remaining: count })
    this.#failures.set(key, queue)
  }

  /** The status a request of this method is to get instead of its answer. */
  takeFailure(method: string): number | undefined {
    const queue = this.#failures.get(method)
    const head = queue?.[0]
    if (!queue || !head) return undefined
    if (--head.remaining <= 0) queue.shift()
    return head.status
  }

  /** Broken GET bodies (body-faults.ts): the next `count`; null: none. */
  setBodyFault(fault: BodyFault | null, count: number): void {
    if (fault !== null && !isBodyFault(fault)) throw new Error(`setBodyFault: unknown fault ${String(fault)}; one of ${BODY_FAULTS.join(', ')}`)
    this.#bodyFault = fault === null || count <= 0 ? null : { fault, remaining: count }
  }

  /** The fault the body of this GET is to carry, if any. */
  takeBodyFault = (): BodyFault | null => {
    const current = this.#bodyFault
    if (!current) return null
    if (--current.remaining <= 0) this.#bodyFault = null
    return current.fault
  }
}
