import { escapeDisplayName, escapeXmlText } from './html-entities.js'
import { rfc1123 } from './http-date.js'
import type { NodeInfo } from './account-nodes.js'
import { reply, drainBody, type RequestContext } from './request-context.js'
import { parseDepth } from './request-headers.js'
import { encodeName } from './url-encoding.js'

// PROPFIND as MEGA answers it: body ignored, always 207, never recursive,
// only displayname, creationdate, getlastmodified, resourcetype and (files)
// getcontentlength; folders are dated 1 January 1970; only the requested
// folder's own href ends in '/'.

const HEAD = '<?xml version="1.0" encoding="utf-8"?>\r\n<d:multistatus xmlns:d="DAV:">\r\n'
const TAIL = '</d:multistatus>\r\n'

export function renderResponse(href: string, node: NodeInfo): string {
  const lines = [
    '<d:response>',
    `<d:href>${escapeXmlText(href)}</d:href>`,
    '<d:propstat>',
    '<d:status>HTTP/1.1 200 OK</d:status>',
    '<d:prop>',
    `<d:displayname>${escapeDisplayName(node.name)}</d:displayname>`,
    `<d:creationdate>${rfc1123(node.creationMs)}</d:creationdate>`,
    `<d:getlastmodified>${rfc1123(node.isDir ? 0 : node.mtimeMs)}</d:getlastmodified>`,
    node.isDir ? '<d:resourcetype><d:collection/></d:resourcetype>' : '<d:resourcetype/>',
  ]
  if (!node.isDir) lines.push(`<d:getcontentlength>${escapeXmlText(node.sizeText ?? String(node.size))}</d:getcontentlength>`)
  lines.push('</d:prop>', '</d:propstat>', '</d:response>', '')
  return lines.join('\r\n')
}

export async function handlePropfind(ctx: RequestContext): Promise<void> {
  const depth = parseDepth(ctx.req.headers['depth'] as string | undefined)
  await drainBody(ctx.req)
  const { target } = ctx
  const self = await ctx.nodes.stat(target.localPath)
  if (!self) return reply(ctx, 404)
  const parts = [HEAD, renderResponse(self.isDir ? target.href + '/' : target.href, { ...self, name: displayName(ctx, self) })]
  if (self.isDir && depth > 0) {
    const children = (await ctx.nodes.list(target.localPath)) ?? []
    for (const child of children) parts.push(renderResponse(`${target.href}/${encodeName(child.name, 'upper')}`, child))
  }
  parts.push(TAIL)
  return reply(ctx, 207, { 'Content-Type': 'text/xml; charset=utf-8' }, parts.join(''))
}

function displayName(ctx: RequestContext, self: NodeInfo): string {
  return ctx.target.rel.length === 0 ? ctx.target.servedName : self.name
}
