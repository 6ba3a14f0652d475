// Turning the decoded, '/'-separated paths callers use into request URLs, and
// hrefs from listings back into decoded names. Names are never decoded as a
// whole path and then split: an encoded '/' (%2F) inside a name must not
// create a new path level.

/** Segments of a caller's path relative to the served root: '' and '/' are
 *  the root; leading, trailing and doubled slashes are ignored. '.' and '..'
 *  are refused because a server would resolve them against a different node. */
export function splitRelativePath(path: string): string[] {
  const segments = path.split('/').filter(s => s !== '')
  for (const s of segments) {
    if (s === '.' || s === '..') {
      throw new TypeError(`path ${JSON.stringify(path)} contains '${s}': pass a plain path relative to the mounted folder`)
    }
  }
  return segments
}

/** Percent-encodes one name like encodeURIComponent, and also the characters
 *  encodeURIComponent leaves alone but some servers treat specially (quotes
 *  and parentheses, '!', '*'), so every name reaches the server as bytes. */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/** Decodes %XX escapes into UTF-8 text. Never throws: a '%' that does not
 *  start a valid escape is kept as it is (lenient with odd servers). */
export function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment
  const bytes: number[] = []
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3))) {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** The decoded segments of a URL path ('/a%20b/c/' -> ['a b', 'c']). */
export function decodePathSegments(pathname: string): string[] {
  return pathname.split('/').filter(s => s !== '').map(decodeSegment)
}

/** The request URL of `segments` below a base URL whose pathname has no
 *  trailing slash. No trailing slash is added, even for folders: MEGA's
 *  bridge does not trim one (a MOVE Destination ending in '/' fails with 409). */
export function urlFor(base: URL, segments: string[]): URL {
  const url = new URL(base.href)
  const basePath = base.pathname.replace(/\/+$/, '')
  url.pathname = segments.length === 0 ? basePath || '/' : basePath + '/' + segments.map(encodeSegment).join('/')
  return url
}

/** The path part of an href from a listing: an absolute URL, an absolute
 *  path, or a path relative to the folder that was listed. */
export function hrefPathname(href: string, listedFolder: URL): string {
  try {
    // WHATWG URL would re-encode some bytes of the pathname; only the raw
    // text is wanted, so take it from the href itself when it is absolute.
    if (href.startsWith('/')) return href.replace(/[?#].*$/, '')
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/.exec(href)
    if (m) return m[1] ?? '/'
    // Only a relative href needs the folder as a URL: made for every entry
    // of a listing, it was a tenth of what a crawl allocates.
    const folder = new URL(listedFolder.href)
    if (!folder.pathname.endsWith('/')) folder.pathname += '/'
    return new URL(href, folder).pathname
  } catch {
    return href
  }
}

/** True when both lists hold the same names in the same order. */
export function sameSegments(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i])
}
