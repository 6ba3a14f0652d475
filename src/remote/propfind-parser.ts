// A lenient reader of PROPFIND (207 Multi-Status) answers. MEGA's bridge
// writes HTML entities such as '&add;' and '&percnt;' into displayname,
// which a strict XML parser rejects, so entities are left as written and only
// the few values used here (href, dates, sizes, etags, status lines) are
// unescaped, by hand. Names come from the decoded href, never displayname.
// Namespace prefixes are dropped whatever they are called ('D:', 'd:',
// 'lp1:' or none).
//
// The answer is read as a stream of tags (htmlparser2 in XML mode), each
// <response> turned into a resource as soon as it closes: a folder of 10,000
// entries never exists as a document tree, which cost the daemon about 50 MiB
// of heap for that one listing, and most of the crawl's garbage collection.
import { Parser } from 'htmlparser2'
import { RemoteError, type Listing, type Quota, type RemoteEntry } from './remote.js'
import { parseContentLength, printableName, unusableName } from './entry-checks.js'
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
  /** Why this resource cannot be a file here (an absurd size), or null. */
  problem: string | null
}

export interface ParsedMultistatus {
  resources: DavResource[]
  /** Responses left out: no href, a non-2xx status, or a name holding '/'. */
  dropped: number
}

/** Times before this are meaningless: MEGA reports 1 January 1970 for folders. */
const EARLIEST_MEANINGFUL_MS = Date.UTC(1971, 0, 1)

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Unescapes XML's predefined entities and character references; anything
 *  else (MEGA's '&add;') is left as written. */
export function unescapeXmlText(text: string): string {
  if (!text.includes('&')) return text
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole
    return XML_ENTITIES[ref] ?? whole
  })
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined
}

/** 'HTTP/1.1 404 Not Found' -> 404; null when absent or unreadable. */
function statusCode(text: string | null): number | null {
  const m = /\s(\d{3})(\s|$)/.exec(' ' + (text ?? ''))
  return m ? Number(m[1]) : null
}

function parseTime(text: string | undefined): number | null {
  if (!text) return null
  const ms = Date.parse(text)
  return Number.isFinite(ms) && ms >= EARLIEST_MEANINGFUL_MS ? ms : null
}

function parseBytes(text: string | undefined): number | null {
  const t = text?.trim()
  if (!t || !/^\d+$/.test(t)) return null
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : null
}

/** The properties read from a <prop>; every other one is skipped. */
const WANTED_PROPS = new Set(['getcontentlength', 'getlastmodified', 'creationdate', 'getetag', 'quota-available-bytes', 'quota-used-bytes'])

interface PropBlock {
  status: number | null
  props: Map<string, string>
  isCollection: boolean
}

interface ResponseDraft {
  href: string | null
  status: number | null
  blocks: PropBlock[]
}

/** Props of the 2xx propstat blocks merged; 404 blocks (props the server
 *  does not have) are skipped. A propstat without a status counts as 200. */
function resourceOf(draft: ResponseDraft, listed: URL): DavResource | null {
  const href = draft.href
  if (!href) return null
  if (draft.status !== null && (draft.status < 200 || draft.status > 299)) return null
  // The 2xx blocks' props, a later block's value winning, read where they
  // are: a merged Map per entry was garbage a moment later.
  const blocks = draft.blocks.filter(block => block.status === null || (block.status >= 200 && block.status <= 299))
  const prop = (name: string): string | undefined => {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const value = blocks[i].props.get(name)
      if (value !== undefined) return value
    }
    return undefined
  }
  const isDir = blocks.some(block => block.isCollection)
  const segments = hrefPathname(href.trim(), listed).split('/').filter(s => s !== '').map(decodeSegment)
  if (segments.some(s => s.includes('/'))) return null
  // Only the last segment (the entry's name) is kept past the listing.
  if (segments.length > 0) segments[segments.length - 1] = detached(segments[segments.length - 1])
  const available = parseBytes(prop('quota-available-bytes'))
  const used = parseBytes(prop('quota-used-bytes'))
  const length = isDir ? null : parseContentLength(prop('getcontentlength'))
  return {
    segments,
    isDir,
    size: length && 'bytes' in length ? length.bytes : 0,
    problem: length && 'problem' in length ? length.problem : null,
    mtimeMs: parseTime(prop('getlastmodified')),
    ctimeMs: parseTime(prop('creationdate')),
    etag: etagOf(prop('getetag')),
    quota: available !== null && used !== null ? { usedBytes: used, availableBytes: available } : null,
  }
}

function etagOf(value: string | undefined): string | null {
  return value === undefined ? null : detached(value) || null
}

/** A copy of s that shares no memory with the answer it was cut from. V8
 *  keeps a substring as a slice of its parent, so one name or ETag kept in
 *  the metadata cache would keep a whole multi-megabyte answer alive. */
function detached(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8')
}

function localName(tag: string): string {
  const colon = tag.indexOf(':')
  return colon < 0 ? tag : tag.slice(colon + 1)
}

/** Elements open at once in an answer. A multistatus answer needs about 6
 *  (multistatus, response, propstat, prop, resourcetype, collection); past
 *  this the answer is not a listing. It also keeps htmlparser2's own stack
 *  short: that stack is an array it unshifts and shifts, so 200,000 nested
 *  elements cost it minutes of quadratic work (issue 9). */
export const MAX_XML_DEPTH = 64

/** <response> elements in one answer: five times a 100,000-file MEGA folder.
 *  The byte cap alone would let an answer of tiny responses hold millions of
 *  resources in memory. */
export const MAX_LISTING_ENTRIES = 500_000

export interface MultistatusReaderOptions {
  /** For messages: the request and folder, e.g. 'PROPFIND /Photos'. */
  what?: string
  maxDepth?: number
  maxEntries?: number
}

/** Reads a 207 body piece by piece as it arrives, so a large answer is never
 *  held whole and each piece is parsed in a short slice of the event loop.
 *  `listed` is the URL that was requested (relative hrefs are resolved
 *  against it as a folder). write() and end() throw RemoteError('bad-reply')
 *  when the answer is not a multistatus document or breaks a bound; after a
 *  throw, the rest of the answer is never parsed. */
export class MultistatusReader {
  readonly #parser: Parser
  readonly #what: string
  #failure: RemoteError | null = null
  #result: () => ParsedMultistatus

  constructor(listed: URL, options: MultistatusReaderOptions = {}) {
    this.#what = options.what ?? 'PROPFIND'
    const maxDepth = options.maxDepth ?? MAX_XML_DEPTH
    const maxEntries = options.maxEntries ?? MAX_LISTING_ENTRIES
    const resources: DavResource[] = []
    let responses = 0
    let sawMultistatus = false
    let closedMultistatus = false
    // Local names of the open elements, and the text of the innermost one.
    const stack: string[] = []
    let text = ''
    let draft: ResponseDraft | null = null
    let block: PropBlock | null = null
    const parent = () => stack[stack.length - 2]
    let stopped = false
    const stop = (message: string) => {
      stopped = true
      this.#failure = new RemoteError('bad-reply', `${this.#what}: the answer from ${listed.host} ${message}`)
      // Nothing after this point is tokenized, whatever is written.
      this.#parser.pause()
    }

    this.#parser = new Parser(
      {
        onopentag(tag) {
          if (stopped) return
          const name = localName(tag)
          stack.push(name)
          text = ''
          if (stack.length > maxDepth) {
            stop(`nests elements more than ${maxDepth} deep (a listing needs about 6): it is not a WebDAV listing; check that the URL is MEGAcmd's bridge (mega-webdav) or another WebDAV server`)
            return
          }
          if (name === 'multistatus') sawMultistatus = true
          else if (name === 'response' && parent() === 'multistatus') draft = { href: null, status: null, blocks: [] }
          else if (name === 'propstat' && parent() === 'response' && draft) draft.blocks.push((block = { status: null, props: new Map(), isCollection: false }))
          else if (name === 'collection' && parent() === 'resourcetype' && block) block.isCollection = true
        },
        ontext(chunk) {
          if (stopped) return
          text += chunk
        },
        onclosetag(_tag, isImplied) {
          if (stopped) return
          const name = stack.pop()
          const within = stack[stack.length - 1]
          const value = unescapeXmlText(text.trim())
          text = ''
          // Closed by the end of the text, not by the server: cut short.
          if (name === 'multistatus') closedMultistatus = !isImplied
          if (!draft || !name) return
          if (within === 'response') {
            if (name === 'href') draft.href ??= value
            else if (name === 'status') draft.status = statusCode(value)
          } else if (name === 'response' && within === 'multistatus') {
            responses++
            if (responses > maxEntries) {
              stop(`lists more than ${maxEntries.toLocaleString('en-US')} entries, more than megamount lists in one folder: split the folder into smaller ones (mega-mkdir, mega-mv)`)
              return
            }
            const resource = resourceOf(draft, listed)
            if (resource) resources.push(resource)
            draft = null
            block = null
          } else if (within === 'propstat' && name === 'status' && block) {
            block.status = statusCode(value)
          } else if (within === 'prop' && block && WANTED_PROPS.has(name)) {
            block.props.set(name, value)
          }
        },
      },
      { xmlMode: true, decodeEntities: false },
    )
    this.#result = () => {
      if (!sawMultistatus) {
        throw new RemoteError('bad-reply', `PROPFIND answer from ${listed.host} has no multistatus element: is the URL a WebDAV folder?`)
      }
      // A cut answer must not pass for a shorter listing.
      if (!closedMultistatus) throw new RemoteError('bad-reply', `PROPFIND answer from ${listed.host} ends before </multistatus>: it was cut short`)
      return { resources, dropped: responses - resources.length }
    }
  }

  write(chunk: string): void {
    if (this.#failure) throw this.#failure
    this.#parser.write(chunk)
    if (this.#failure) throw this.#failure
  }

  end(): ParsedMultistatus {
    if (this.#failure) throw this.#failure
    this.#parser.end()
    if (this.#failure) throw this.#failure
    return this.#result()
  }
}

/** Parses a whole 207 body at once; see MultistatusReader. */
export function parseMultistatus(xml: string, listed: URL, options: MultistatusReaderOptions = {}): ParsedMultistatus {
  const reader = new MultistatusReader(listed, options)
  reader.write(xml)
  return reader.end()
}

/** A resource as the entry callers see, under the given name. A file
 *  whose size cannot be counted is an error, not a guess. */
export function entryOf(resource: DavResource, name: string): RemoteEntry {
  if (resource.problem) throw new RemoteError('bad-reply', `${name || '/'}: the server lists it, but ${resource.problem}`)
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
  const unusable: { name: string; reason: string }[] = []
  let selfSeen = false
  for (const r of parsed.resources) {
    if (r === self && !selfSeen) {
      selfSeen = true
      continue
    }
    const parentMatches = r.segments.length === self.segments.length + 1 && sameSegments(r.segments.slice(0, -1), self.segments)
    if (!parentMatches) continue
    const name = r.segments[r.segments.length - 1]
    const reason = unusableName(name) ?? r.problem
    if (reason) {
      unusable.push({ name: printableName(name), reason })
      continue
    }
    const previous = byName.get(name)
    if (previous) {
      duplicates.add(name)
      if (previous.isDir || !r.isDir) continue
    }
    byName.set(name, entryOf(r, name))
  }
  return { self: entryOf({ ...self, problem: null }, selfName), entries: [...byName.values()], duplicateNames: [...duplicates], unusable }
}
