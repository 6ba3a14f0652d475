import net from 'node:net'

// One HTTP/1.1 exchange over a fresh socket, written byte for byte: header
// names keep their case (node:http and fetch lower-case or reorder them),
// and the caller learns whether the server closed the connection. Used by
// the emulator's tests and handy for probing any bridge by hand.

export interface RawResponse {
  status: number
  /** Header lines as received, name and value, in order. */
  headerLines: Array<[string, string]>
  body: Buffer
  /** The server ended the connection after answering. */
  closedByServer: boolean
}

export interface RawRequestOptions {
  host?: string
  port: number
  method: string
  /** Request target, sent as is (no encoding). */
  path: string
  /** Sent in this order and spelling; Host is added when missing. */
  headers?: Array<[string, string]>
  body?: string | Buffer
  /** Give up (reject) after this long. Default 10000. */
  timeoutMs?: number
}

export function rawRequest(options: RawRequestOptions): Promise<RawResponse> {
  const host = options.host ?? '127.0.0.1'
  const headers = [...(options.headers ?? [])]
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.unshift(['Host', `${host}:${options.port}`])
  const body = options.body === undefined ? undefined : Buffer.from(options.body)
  if (body && !headers.some(([name]) => name.toLowerCase() === 'content-length')) headers.push(['Content-Length', String(body.length)])
  const head = `${options.method} ${options.path} HTTP/1.1\r\n` + headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') + '\r\n'

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: options.port })
    const chunks: Buffer[] = []
    let settled = false
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${options.timeoutMs ?? 10000} ms`)), options.timeoutMs ?? 10000)
    const finish = (err: Error | null, response?: RawResponse): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      if (err) reject(err)
      else resolve(response!)
    }
    socket.on('connect', () => {
      socket.write(head)
      if (body) socket.write(body)
    })
    socket.on('data', chunk => {
      chunks.push(chunk)
    })
    socket.on('error', err => finish(err))
    socket.on('end', () => {
      const parsed = parseResponse(Buffer.concat(chunks), options.method === 'HEAD')
      if (!parsed) return finish(new Error('connection closed before a complete answer'))
      finish(null, { ...parsed, closedByServer: true })
    })
    socket.on('data', () => {
      // An answer complete while the socket stays open means keep-alive.
      const parsed = parseResponse(Buffer.concat(chunks), options.method === 'HEAD')
      if (parsed && parsed.complete) {
        setTimeout(() => {
          if (!settled) finish(null, { ...parsed, closedByServer: socket.readableEnded })
        }, 200)
      }
    })
  })
}

function parseResponse(data: Buffer, isHead: boolean): (Omit<RawResponse, 'closedByServer'> & { complete: boolean }) | null {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return null
  const lines = data.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1])
  if (!status) return null
  const headerLines = lines.slice(1).map(line => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string]
  })
  const lengthHeader = headerLines.find(([n]) => n.toLowerCase() === 'content-length')
  const body = data.subarray(end + 4)
  const expected = isHead ? 0 : lengthHeader ? Number(lengthHeader[1]) : undefined
  return { status, headerLines, body, complete: expected !== undefined && body.length >= expected }
}

/** The value of a header in a raw answer, by case-insensitive name. */
export function headerValue(response: RawResponse, name: string): string | undefined {
  return response.headerLines.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1]
}
