import path from 'node:path'
import { looksLikeHandle } from './node-handle.js'
import { decodeSegment, encodeName } from './url-encoding.js'

// Where a request URL points, checked the way MEGA's bridge checks it: the
// first segment must be a served handle (404, or 403 for a handle-shaped
// segment that is not served), the second the node's current name. The
// query string is not split off: '?x=1' becomes part of a name, so 404.

export interface ServedNode {
  handle: string
  /** Current local path of the served folder (or file). */
  localPath: string
}

export interface RequestTarget {
  served: ServedNode
  /** Current name of the served node ('Cloud Drive' for the root). */
  servedName: string
  /** Decoded names below the served node; [] for the node itself. */
  rel: string[]
  localPath: string
  /** http://<Host>/<HANDLE>/<Name>[/<child>...] with uppercase hex, no
   *  trailing slash: the base of this target's hrefs. */
  href: string
}

export type TargetResult = { ok: true; target: RequestTarget } | { ok: false; status: 403 | 404 }

export function resolveTarget(
  rawUrl: string,
  hostHeader: string,
  findServed: (handle: string) => { node: ServedNode; name: string } | undefined,
): TargetResult {
  if (!rawUrl.startsWith('/')) return { ok: false, status: 404 }
  const segments = rawUrl.split('/').slice(1)
  const handle = segments[0] ?? ''
  const found = findServed(handle)
  if (!found) return { ok: false, status: looksLikeHandle(handle) ? 403 : 404 }
  if (segments.length < 2 || decodeSegment(segments[1]!) !== found.name) return { ok: false, status: 404 }
  const rest = segments.slice(2)
  if (rest.length > 0 && rest[rest.length - 1] === '') rest.pop()
  const rel: string[] = []
  for (const raw of rest) {
    const name = decodeSegment(raw)
    if (name === null || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      return { ok: false, status: 404 }
    }
    rel.push(name)
  }
  const href = [`http://${hostHeader}`, handle, encodeName(found.name, 'upper'), ...rel.map(n => encodeName(n, 'upper'))].join('/')
  return {
    ok: true,
    target: { served: found.node, servedName: found.name, rel, localPath: path.join(found.node.localPath, ...rel), href },
  }
}
