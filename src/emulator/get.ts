import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { escapeXmlText } from './html-entities.js'
import { reply, type RequestContext } from './request-context.js'
import { parseRange, rawHeaderExact } from './request-headers.js'
import { encodeName } from './url-encoding.js'

// GET and HEAD: files are streamed from disk (never read whole), with
// `Accept-Ranges: bytes` and neither ETag nor Last-Modified. The Range
// header counts only when spelled exactly `Range`.

export async function handleGet(ctx: RequestContext): Promise<void> {
  const { target, req, res, entry } = ctx
  // MEGA lists names containing ':' but cannot serve them.
  if (target.rel.some(name => name.includes(':'))) return reply(ctx, 404)
  const node = await ctx.nodes.stat(target.localPath)
  if (!node) return reply(ctx, 404)
  if (node.isDir) return replyFolderPage(ctx)
  const range = parseRange(rawHeaderExact(req.rawHeaders, 'Range'), node.size)
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
  }
  if (range.kind === 'unsatisfiable') return reply(ctx, 416, { ...headers, 'Content-Range': `bytes */${node.size}` })
  const start = range.kind === 'partial' ? range.start : 0
  const end = range.kind === 'partial' ? range.end : node.size - 1
  const status = range.kind === 'partial' ? 206 : 200
  if (range.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${node.size}`
  if (req.method === 'HEAD' || node.size === 0) {
    return reply(ctx, status, { ...headers, 'Content-Length': end - start + 1 })
  }
  res.statusCode = status
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.setHeader('Content-Length', end - start + 1)
  entry.status = status
  const file = fs.createReadStream(target.localPath, { start, end })
  const source: Readable = ctx.pacer ? file.pipe(ctx.pacer.stream()) : file
  source.on('data', (chunk: Buffer) => (entry.bytesSent += chunk.length))
  await pipeline(source, res).catch(() => {
    file.destroy()
    res.destroy()
  })
}

/** A folder fetched with GET gets a plain HTML page of links, as from the
 *  SDK's HTTP server; WebDAV clients never ask for it. */
async function replyFolderPage(ctx: RequestContext): Promise<void> {
  const children = (await ctx.nodes.list(ctx.target.localPath)) ?? []
  const links = children.map(c => `<li><a href="${escapeXmlText(`${ctx.target.href}/${encodeName(c.name, 'upper')}`)}">${escapeXmlText(c.name)}</a></li>`)
  const page = `<html><body><ul>${links.join('')}</ul></body></html>\n`
  return reply(ctx, 200, { 'Content-Type': 'text/html; charset=utf-8' }, page)
}
