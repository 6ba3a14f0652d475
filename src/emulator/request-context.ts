import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { AccountNodes } from './account-nodes.js'
import type { BandwidthPacer } from './bandwidth-pacer.js'
import type { BodyFault } from './body-faults.js'
import type { RequestTarget } from './request-target.js'

/** One request as the emulator's log keeps it. */
export interface RequestLogEntry {
  method: string
  /** The raw request target, query string included. */
  path: string
  rawHeaders: string[]
  /** 0 while unanswered (for example in 'hang' mode). */
  status: number
  /** Response body bytes written. */
  bytesSent: number
  startedAt: number
}

/** What every method handler gets. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  entry: RequestLogEntry
  target: RequestTarget
  nodes: AccountNodes
  pacer: BandwidthPacer | null
  /** Folder for PUT bodies in transit: outside the account folder. */
  uploadDir: string
  /** For a GET about to send file bytes: the broken body to send instead,
   *  if one is injected (BridgeEmulator.setBodyFault). */
  takeBodyFault?: () => BodyFault | null
}

type Reply = Pick<RequestContext, 'req' | 'res' | 'entry' | 'pacer'>

/** Reads and drops what is left of the request body, so the client sees
 *  the answer instead of a reset while it is still sending. */
export async function drainBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return
  req.resume()
  await Promise.race([once(req, 'end'), once(req, 'close')]).catch(() => undefined)
}

/** Answers with a complete body (or none), paced when a cap is set. */
export async function reply(
  ctx: Reply,
  status: number,
  headers: Record<string, string | number> = {},
  body?: string | Buffer,
): Promise<void> {
  await drainBody(ctx.req)
  const { res, entry } = ctx
  if (res.headersSent || res.destroyed) return
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body)
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  // HEAD states the length of the body it does not send.
  if (headers['Content-Length'] === undefined) res.setHeader('Content-Length', bytes.length)
  entry.status = status
  const sendBody = ctx.req.method !== 'HEAD' && bytes.length > 0
  if (!sendBody) {
    res.end()
    return
  }
  if (!ctx.pacer) {
    entry.bytesSent = bytes.length
    res.end(bytes)
    return
  }
  const paced = ctx.pacer.stream()
  paced.on('data', (chunk: Buffer) => (entry.bytesSent += chunk.length))
  await pipeline(Readable.from([bytes]), paced, res).catch(() => undefined)
}
