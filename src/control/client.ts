// mountctl's end of the control socket: one request, one reply.
import net from 'node:net'
import { INTERNAL_DEFAULTS } from '../config/types.js'
import { CONTROL_COMMANDS, type CommandArgs, type CommandName, type CommandResults } from './commands.js'
import { MAX_LINE_BYTES, parseReply, type ControlReply, type ErrorBody } from './protocol.js'

/** The daemon is not running (no socket, or nobody listening on it). */
export class DaemonNotRunningError extends Error {
  constructor(readonly socketPath: string, cause: unknown) {
    super(`megamountd is not running (nothing answers on ${socketPath})`, { cause })
    this.name = 'DaemonNotRunningError'
  }
}

/** The daemon answered the request with ok: false. */
export class CommandFailed extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message)
    this.name = 'CommandFailed'
  }
}

/** The daemon's reply does not match what this mountctl knows of the command. */
export class UnreadableReplyError extends Error {
  readonly hint = 'megamountd and mountctl may be different versions (mountctl version shows both): restart megamountd after an upgrade'
  constructor(command: string, problem: string) {
    super(`megamountd's reply to "${command}" is not what this mountctl expects (${problem})`)
    this.name = 'UnreadableReplyError'
  }
}

/** One command, typed by the map in commands.ts: the args as the daemon
 *  checks them, the result checked against its schema. Throws CommandFailed
 *  when the daemon refuses, DaemonNotRunningError when nobody answers. */
export async function callDaemon<C extends CommandName>(
  socketPath: string,
  command: C,
  args: CommandArgs<C>,
  options: { timeoutMs?: number } = {},
): Promise<CommandResults[C]> {
  const reply = await sendRequest(socketPath, command, args, options)
  if (!reply.ok) throw new CommandFailed(reply.error)
  const parsed = CONTROL_COMMANDS[command].result.safeParse(reply.result)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UnreadableReplyError(command, issue ? `${issue.path.join('.') || 'the result'}: ${issue.message}` : 'unreadable')
  }
  return parsed.data
}

let nextId = 1

/** timeoutMs: default INTERNAL_DEFAULTS.controlTimeoutMs; 0 waits as long
 *  as the daemon takes (unmount waiting for uploads). */
export function sendRequest(socketPath: string, command: string, args: Record<string, unknown> = {}, options: { timeoutMs?: number } = {}): Promise<ControlReply> {
  const id = nextId++
  const timeoutMs = options.timeoutMs ?? INTERNAL_DEFAULTS.controlTimeoutMs
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
        const reply = parseReply(line)
        if (!reply) return done(() => reject(new Error('megamountd sent a reply that is not a control reply (JSON with id and ok)')))
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
