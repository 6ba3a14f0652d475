// The daemon's end of the control socket. Each line is answered on its own,
// concurrently; a bad line gets an error reply and the connection goes on.
// Nothing a client sends can throw out of here.
import fs from 'node:fs/promises'
import net from 'node:net'
import type { Logger } from '../log.js'
import { CONTROL_COMMANDS, isCommandName, type ControlHandlers } from './commands.js'
import { dispatch } from './dispatch.js'
import { MAX_LINE_BYTES, encodeReply, errorBody, parseRequest, type ControlReply } from './protocol.js'
import { prepareSocketPath } from './socket-path.js'
import { ConnectionLimits, type ConnectionLimitOptions } from './connection-limits.js'

export class ControlServer {
  private server: net.Server | null = null
  private readonly connections = new Set<net.Socket>()
  private readonly logger: Logger
  private readonly limits: ConnectionLimits

  constructor(
    private readonly socketPath: string,
    private readonly handlers: ControlHandlers,
    logger: Logger,
    limits: ConnectionLimitOptions = {},
  ) {
    this.logger = logger.child({ component: 'control' })
    this.limits = new ConnectionLimits(limits, this.logger)
  }

  /** Connections open now (tests). */
  get connectionCount(): number {
    return this.limits.count
  }

  async listen(): Promise<void> {
    const { removedStale } = await prepareSocketPath(this.socketPath)
    if (removedStale) this.logger.warn({ socket: this.socketPath }, 'replaced a stale control socket left by a previous daemon')
    const server = net.createServer(conn => this.accept(conn))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.socketPath, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', err => this.logger.error({ err }, 'control socket error'))
    this.server = server
    // Only the user may talk to the daemon: the folder is 0700 too.
    await fs.chmod(this.socketPath, 0o600)
    this.logger.info({ socket: this.socketPath }, 'control socket listening')
  }

  async close(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = null
    for (const c of this.connections) c.destroy()
    await new Promise<void>(resolve => server.close(() => resolve()))
    await fs.unlink(this.socketPath).catch(() => {})
  }

  private accept(conn: net.Socket): void {
    conn.on('error', err => this.logger.debug({ err }, 'control connection error'))
    if (!this.limits.admit(conn)) {
      const message = `too many control connections (${this.limits.maxConnections}) are open`
      this.send(conn, { id: null, ok: false, error: { message, hint: 'a program keeps connections to megamountd open; close it, then run the mountctl command again' } })
      this.limits.closeRefused(conn)
      return
    }
    this.connections.add(conn)
    // Requests still running when the client goes away (Ctrl-C on mountctl).
    const gone = new AbortController()
    conn.setEncoding('utf8')
    let buffered = ''
    conn.on('data', (chunk: string) => {
      buffered += chunk
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim()
        buffered = buffered.slice(nl + 1)
        if (line) {
          this.limits.requestStarted(conn)
          void this.answer(conn, line, gone.signal).finally(() => this.limits.requestEnded(conn))
        }
      }
      if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) {
        buffered = ''
        this.send(conn, { id: null, ok: false, error: { message: `request line longer than ${MAX_LINE_BYTES} bytes`, hint: 'end each request with a newline' } })
        conn.end()
      }
    })
    conn.on('close', () => {
      this.connections.delete(conn)
      this.limits.closed(conn)
      gone.abort(new Error('the client closed the connection'))
    })
  }

  private async answer(conn: net.Socket, line: string, signal: AbortSignal): Promise<void> {
    const parsed = parseRequest(line)
    if (!('request' in parsed)) {
      this.send(conn, { id: parsed.id, ok: false, error: parsed.error })
      return
    }
    const { id, command, args } = parsed.request
    if (!isCommandName(command)) {
      this.send(conn, { id, ok: false, error: { message: `unknown command "${command}"`, hint: `known commands: ${Object.keys(CONTROL_COMMANDS).join(', ')}` } })
      return
    }
    try {
      const result = await dispatch(command, args, this.handlers, signal)
      this.send(conn, { id, ok: true, result: result ?? null })
    } catch (err) {
      this.logger.debug({ err, command }, 'control command failed')
      this.send(conn, { id, ok: false, error: errorBody(err) })
    }
  }

  private send(conn: net.Socket, reply: ControlReply): void {
    if (conn.writable) conn.write(encodeReply(reply))
  }
}
