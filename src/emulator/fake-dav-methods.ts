import { randomUUID } from 'node:crypto'
import { escapeXmlText } from './html-entities.js'
import { reply, drainBody, type RequestContext } from './request-context.js'

// Methods MEGA's bridge answers without doing anything: LOCK hands out a
// lock that protects nothing, UNLOCK accepts any token, PROPPATCH claims
// success and changes nothing (modification times cannot be set).

const XML = { 'Content-Type': 'text/xml; charset=utf-8' }

export async function handleLock(ctx: RequestContext): Promise<void> {
  await drainBody(ctx.req)
  const token = `urn:uuid:${randomUUID()}`
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\r\n<d:prop xmlns:d="DAV:"><d:lockdiscovery><d:activelock>' +
    '<d:locktype><d:write/></d:locktype><d:lockscope><d:exclusive/></d:lockscope><d:depth>infinity</d:depth>' +
    `<d:timeout>Second-3600</d:timeout><d:locktoken><d:href>${token}</d:href></d:locktoken>` +
    `<d:lockroot><d:href>${escapeXmlText(ctx.target.href)}</d:href></d:lockroot>` +
    '</d:activelock></d:lockdiscovery></d:prop>\r\n'
  return reply(ctx, 200, { ...XML, 'Lock-Token': `<${token}>` }, body)
}

export async function handleUnlock(ctx: RequestContext): Promise<void> {
  return reply(ctx, 204)
}

export async function handleProppatch(ctx: RequestContext): Promise<void> {
  await drainBody(ctx.req)
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\r\n<d:multistatus xmlns:d="DAV:">\r\n<d:response>\r\n' +
    `<d:href>${escapeXmlText(ctx.target.href)}</d:href>\r\n` +
    '<d:propstat>\r\n<d:status>HTTP/1.1 200 OK</d:status>\r\n</d:propstat>\r\n</d:response>\r\n</d:multistatus>\r\n'
  return reply(ctx, 207, XML, body)
}

export async function handleOptions(ctx: RequestContext): Promise<void> {
  return reply(ctx, 200, {
    DAV: '1, 2',
    Allow: 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MOVE, COPY, LOCK, UNLOCK',
  })
}
