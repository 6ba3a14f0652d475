// The status line and headers of an HTTP/1.x answer, for the direct GET
// client (direct-get.ts), which reads its own socket.

/** Status and headers (names lower-cased, repeats joined with ', ') of a
 *  header block without its final blank line; null for anything this client
 *  leaves to node:http. */
export function parseHead(text: string): { status: number; headers: Record<string, string> } | null {
  const lines = text.split('\r\n')
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '')
  if (!m) return null
  const status = Number(m[1])
  if (status < 200) return null
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    // A folded line or one without a name: not ours to interpret.
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') return null
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'content-length' && headers[name] !== undefined) return null
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return { status, headers }
}
