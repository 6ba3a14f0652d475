// mountctl's end of the control socket: one request, one reply.
import net from 'node:net'
import { MAX_LINE_BYTES, type ControlReply } from './protocol.js'

/** The daemon is not running (no socket, or nobody listening on it). */
export class DaemonNotRunningError extends Error {
  constructor(readonly socketPath: string, cause: unknown) {
    super(`megamountd is not running (nothing answers on ${socketPath})`, { cause })
    this.name = 'DaemonNotRunningError'
  }
}

let nextId = 1

/** timeoutMs: default 30 s; 0 waits as long as the daemon takes (unmount
 *  waiting for uploads). */
export function sendRequest(socketPath: string, command: string, args: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}): Promise<ControlReply> {
  const id = nextId++
  const timeoutMs = options.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath)
    let buffered = ''
    let connected = false
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            conn.destroy()
            reject(new Error(`megamountd did not answer "${command}" within ${Math.round(timeoutMs / 1000)} s`))
          }, timeoutMs)
        : undefined
    const done = (fn: () => void) => {
      clearTimeout(timer)
      conn.destroy()
      fn()
    }
    conn.setEncoding('utf8')
    conn.on('connect', () => {
      connected = true
      conn.write(`${JSON.stringify({ id, command, args })}\n`)
    })
    conn.on('data', (chunk: string) => {
      buffered += chunk
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        let reply: ControlReply
        try {
          reply = JSON.parse(line) as ControlReply
        } catch {
          return done(() => reject(new Error('megamountd sent a reply that is not JSON')))
        }
        if (reply.id === id || reply.id === null) return done(() => resolve(reply))
      }
      if (buffered.length > MAX_LINE_BYTES) done(() => reject(new Error('megamountd sent a reply line that is too long')))
    })
    conn.on('error', (err: NodeJS.ErrnoException) => {
      const notRunning = !connected && ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(err.code ?? '')
      done(() => reject(notRunning ? new DaemonNotRunningError(socketPath, err) : err))
    })
    conn.on('close', () => done(() => reject(new Error('megamountd closed the connection without answering'))))
  })
}
