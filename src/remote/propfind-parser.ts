// A lenient reader of PROPFIND (207 Multi-Status) answers. MEGA's bridge
// writes HTML entities such as '&add;' and '&percnt;' into displayname,
// which a strict XML parser rejects, so entity processing is off and only
// the few values used here (href, dates, sizes, etags, status lines) are
// unescaped, by hand. Names come from the decoded href, never displayname.
// Namespace prefixes are dropped whatever they are called ('D:', 'd:',
// 'lp1:' or none).
import { XMLParser } from 'fast-xml-parser'
import { RemoteError, type Listing, type Quota, type RemoteEntry } from './remote.js'
import { decodeSegment, hrefPathname, sameSegments } from './paths.js'

/** One <response> of a multistatus answer. */
export interface DavResource {
  /** Decoded path segments of the href. */
  segments: string[]
  isDir: boolean
  size: number
  mtimeMs: number | null
  ctimeMs: number | null
  etag: string | null
  quota: Quota | null
}

export interface ParsedMultistatus {
  resources: DavResource[]
  /** Responses left out: no href, a non-2xx status, or a name holding '/'. */
  dropped: number
}

/** Times before this are meaningless: MEGA reports 1 January 1970 for folders. */
const EARLIEST_MEANINGFUL_MS = Date.UTC(1971, 0, 1)

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: name => name === 'response' || name === 'propstat' || name === 'href',
})

type XmlNode = string | { [key: string]: XmlNode | XmlNode[] | undefined }

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Unescapes XML's predefined entities and character references; anything
 *  else (MEGA's '&add;') is left as written. */
export function unescapeXmlText(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole
    return XML_ENTITIES[ref] ?? whole
  })
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined
}

function textOf(node: XmlNode | XmlNode[] | undefined): string | null {
  if (Array.isArray(node)) node = node[0]
  if (node === undefined) return null
  if (typeof node === 'string') return unescapeXmlText(node)
  const text = node['#text']
  return typeof text === 'string' ? unescapeXmlText(text) : null
}

function asObject(node: XmlNode | XmlNode[] | undefined): { [key: string]: XmlNode | XmlNode[] | undefined } | null {
  if (Array.isArray(node)) node = node[0]
  return node !== undefined && typeof node === 'object' ? node : null
}

function asArray(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return []
  return Array.isArray(node) ? node : [node]
}

/** 'HTTP/1.1 404 Not Found' -> 404; null when absent or unreadable. */
function statusCode(node: XmlNode | XmlNode[] | undefined): number | null {
  const m = /\s(\d{3})(\s|$)/.exec(' ' + (textOf(node) ?? ''))
  return m ? Number(m[1]) : null
}

function parseTime(node: XmlNode | XmlNode[] | undefined): number | null {
  const text = textOf(node)
  if (!text) return null
  const ms = Date.parse(text)
  return Number.isFinite(ms) && ms >= EARLIEST_MEANINGFUL_MS ? ms : null
}

function parseBytes(node: XmlNode | XmlNode[] | undefined): number | null {
  const text = textOf(node)?.trim()
  if (!text || !/^\d+$/.test(text)) return null
  return Number(text)
}

/** Props of the 2xx propstat blocks merged; 404 blocks (props the server
 *  does not have) are skipped. A propstat without a status counts as 200. */
function collectProps(response: { [key: string]: XmlNode | XmlNode[] | undefined }): Record<string, XmlNode | XmlNode[] | undefined> | null {
  let props: Record<string, XmlNode | XmlNode[] | undefined> | null = null
  for (const propstat of asArray(response.propstat)) {
    const block = asObject(propstat)
    if (!block) continue
    const status = statusCode(block.status)
    if (status !== null && (status < 200 || status > 299)) continue
    const prop = asObject(block.prop)
    props = { ...(props ?? {}), ...(prop ?? {}) }
  }
  return props
}

function resourceOf(response: { [key: string]: XmlNode | XmlNode[] | undefined }, listed: URL): DavResource | null {
  const href = textOf(response.href)
  if (!href) return null
  const responseStatus = statusCode(response.status)
  if (responseStatus !== null && (responseStatus < 200 || responseStatus > 299)) return null
  const p = collectProps(response) ?? {}
  const rawSegments = hrefPathname(href.trim(), listed).split('/').filter(s => s !== '')
  const segments = rawSegments.map(decodeSegment)
  if (segments.some(s => s.includes('/'))) return null
  const resourcetype = asObject(p.resourcetype)
  const isDir = resourcetype !== null && 'collection' in resourcetype
  const available = parseBytes(p['quota-available-bytes'])
  const used = parseBytes(p['quota-used-bytes'])
  return {
    segments,
    isDir,
    size: isDir ? 0 : parseBytes(p.getcontentlength) ?? 0,
    mtimeMs: parseTime(p.getlastmodified),
    ctimeMs: parseTime(p.creationdate),
    etag: textOf(p.getetag) || null,
    quota: available !== null && used !== null ? { usedBytes: used, availableBytes: available } : null,
  }
}

/** Parses a 207 body. `listed` is the URL that was requested (relative
 *  hrefs are resolved against it as a folder). Throws RemoteError('bad-reply')
 *  when the body is not a multistatus document at all. */
export function parseMultistatus(xml: string, listed: URL): ParsedMultistatus {
  let doc: unknown
  try {
    doc = parser.parse(xml)
  } catch (err) {
    throw new RemoteError('bad-reply', `PROPFIND answer from ${listed.host} is not readable XML: ${(err as Error).message}`, { cause: err })
  }
  const root = asObject((doc as Record<string, XmlNode> | null)?.multistatus)
  if (!root) {
    throw new RemoteError('bad-reply', `PROPFIND answer from ${listed.host} has no multistatus element: is the URL a WebDAV folder?`)
  }
  const responses = asArray(root.response)
  const resources: DavResource[] = []
  for (const r of responses) {
    const obj = asObject(r)
    const resource = obj ? resourceOf(obj, listed) : null
    if (resource) resources.push(resource)
  }
  return { resources, dropped: responses.length - resources.length }
}

/** A resource as the entry callers see, under the given name. */
export function entryOf(resource: DavResource, name: string): RemoteEntry {
  return {
    name,
    isDir: resource.isDir,
    size: resource.size,
    mtimeMs: resource.mtimeMs,
    ctimeMs: resource.ctimeMs,
    etag: resource.etag,
  }
}

/** The resource that describes the requested path itself: the one whose
 *  decoded path equals it (with or without a trailing slash), else the
 *  first (servers list the requested resource first). */
export function findSelf(resources: DavResource[], requested: string[]): DavResource | null {
  return resources.find(r => sameSegments(r.segments, requested)) ?? resources[0] ?? null
}

/** A Depth 1 answer as a Listing. `requested` holds the decoded path
 *  segments that were listed (base path included), `selfName` the name the
 *  folder's own entry gets ('' for the served root). Children are the
 *  resources one level below the folder's own entry; a name listed twice
 *  (MEGA allows it, with the same href) is kept once, a folder winning over
 *  a file as it does on the bridge. */
export function toListing(parsed: ParsedMultistatus, requested: string[], selfName: string, listed: URL): Listing {
  const self = findSelf(parsed.resources, requested)
  if (!self) throw new RemoteError('bad-reply', `PROPFIND answer from ${listed.host} lists nothing, not even the folder itself`)
  const byName = new Map<string, RemoteEntry>()
  const duplicates = new Set<string>()
  let selfSeen = false
  for (const r of parsed.resources) {
    if (r === self && !selfSeen) {
      selfSeen = true
      continue
    }
    const parentMatches = r.segments.length === self.segments.length + 1 && sameSegments(r.segments.slice(0, -1), self.segments)
    if (!parentMatches) continue
    const name = r.segments[r.segments.length - 1]
    const previous = byName.get(name)
    if (previous) {
      duplicates.add(name)
      if (previous.isDir || !r.isDir) continue
    }
    byName.set(name, entryOf(r, name))
  }
  return { self: entryOf(self, selfName), entries: [...byName.values()], duplicateNames: [...duplicates] }
}
