import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { faultyAnswer } from './body-faults.js'
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
  const fault = ctx.takeBodyFault?.()
  if (fault) {
    const honest = await readRange(target.localPath, start, end)
    const broken = faultyAnswer(fault, honest, start, end, node.size, status)
    const { 'Content-Range': _honestRange, ...plain } = headers
    const answerHeaders = { ...plain, ...broken.headers }
    if (broken.chunked) {
      res.statusCode = broken.status
      for (const [name, value] of Object.entries(answerHeaders)) res.setHeader(name, value)
      entry.status = broken.status
      entry.bytesSent = broken.body.length
      // write() before end(): end(body) alone would add a Content-Length.
      res.write(broken.body)
      res.end()
      return
    }
    return reply(ctx, broken.status, answerHeaders, broken.body)
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

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r')
  try {
    const bytes = Buffer.alloc(end - start + 1)
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start)
    return bytes.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** A folder fetched with GET gets a plain HTML page of links, as from the
 *  SDK's HTTP server; WebDAV clients never ask for it. */
async function replyFolderPage(ctx: RequestContext): Promise<void> {
  const children = (await ctx.nodes.list(ctx.target.localPath)) ?? []
  const links = children.map(c => `<li><a href="${escapeXmlText(`${ctx.target.href}/${encodeName(c.name, 'upper')}`)}">${escapeXmlText(c.name)}</a></li>`)
  const page = `<html><body><ul>${links.join('')}</ul></body></html>\n`
  return reply(ctx, 200, { 'Content-Type': 'text/html; charset=utf-8' }, page)
}
