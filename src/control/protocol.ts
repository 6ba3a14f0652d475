// The control protocol: one JSON object per line over a Unix socket.
//   request: { "id": 1, "command": "status", "args": { ... } }
//   reply:   { "id": 1, "ok": true, "result": ... }
//        or  { "id": 1, "ok": false, "error": { "message": "...", "hint": "..." } }
import { z } from 'zod'

export interface ControlRequest {
  id: number
  command: string
  args: Record<string, unknown>
}

export interface ErrorBody {
  message: string
  hint?: string
}

export type ControlReply = { id: number | null; ok: true; result: unknown } | { id: number | null; ok: false; error: ErrorBody }

/** Longest line either side accepts; a longer one is a protocol error. */
export const MAX_LINE_BYTES = 1024 * 1024

const requestSchema = z.object({
  id: z.number().int(),
  command: z.string().min(1),
  args: z.record(z.string(), z.unknown()).optional(),
})

const errorBodySchema = z.object({ message: z.string(), hint: z.string().optional() })

const replySchema = z.union([
  z.object({ id: z.number().nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().nullable(), ok: z.literal(false), error: errorBodySchema }),
])

/** An error a handler throws to answer with a message and what to do. */
export class ControlError extends Error {
  readonly hint: string | undefined
  constructor(message: string, hint?: string) {
    super(message)
    this.name = 'ControlError'
    this.hint = hint
  }
}

export function parseRequest(line: string): { request: ControlRequest } | { id: number | null; error: ErrorBody } {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { id: null, error: { message: 'request is not valid JSON', hint: 'send one JSON object per line: {"id":1,"command":"status"}' } }
  }
  const parsed = requestSchema.safeParse(value)
  if (!parsed.success) {
    const withId = z.object({ id: z.number() }).safeParse(value)
    return { id: withId.success ? withId.data.id : null, error: { message: 'request must look like {"id": <number>, "command": "<name>", "args": {...}}', hint: 'see src/control/protocol.ts' } }
  }
  return { request: { id: parsed.data.id, command: parsed.data.command, args: parsed.data.args ?? {} } }
}

/** A reply line as the client reads it; null when it is not a reply. */
export function parseReply(line: string): ControlReply | null {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null
  }
  const parsed = replySchema.safeParse(value)
  return parsed.success ? parsed.data : null
}

export function encodeReply(reply: ControlReply): string {
  return `${JSON.stringify(reply)}\n`
}

export function errorBody(err: unknown): ErrorBody {
  if (err instanceof ControlError) return err.hint ? { message: err.message, hint: err.hint } : { message: err.message }
  const hint = (err as { hint?: unknown } | null)?.hint
  const message = err instanceof Error ? err.message : String(err)
  return typeof hint === 'string' ? { message, hint } : { message }
}
