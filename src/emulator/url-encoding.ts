// Two spellings of the same escaping, both as MEGA's bridge writes them: the
// served URL that `mega-webdav` prints uses lowercase hex, the hrefs in
// PROPFIND answers use uppercase hex. Everything but RFC 3986's unreserved
// characters is escaped.

export type HexCase = 'lower' | 'upper'

export function encodeName(name: string, hexCase: HexCase): string {
  const upper = encodeURIComponent(name).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  return hexCase === 'upper' ? upper : upper.replace(/%[0-9A-F]{2}/g, escape => escape.toLowerCase())
}

/** The URL `mega-webdav` prints for a served node. */
export function servedUrl(host: string, port: number, handle: string, name: string): string {
  return `http://${host}:${port}/${handle}/${encodeName(name, 'lower')}`
}

/** Percent-decodes one path segment; null when it is malformed. */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}
