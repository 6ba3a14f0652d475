import fs from 'node:fs'
import path from 'node:path'
import { reply, drainBody, type RequestContext } from './request-context.js'
import { decodeSegment, encodeName } from './url-encoding.js'
import { localToMegaPath } from './mega-path.js'

// DELETE, MKCOL, MOVE and COPY. DELETE is permanent (MEGA's bridge bypasses
// the Rubbish Bin). MOVE and COPY accept only a Destination inside the same
// served folder, spelled from the request's own Host header.

export async function handleDelete(ctx: RequestContext): Promise<void> {
  await drainBody(ctx.req)
  const node = await ctx.nodes.stat(ctx.target.localPath)
  if (!node) return reply(ctx, 404)
  if (node.phantom) {
    ctx.nodes.removeDuplicate(localToMegaPath(ctx.nodes.accountRoot, ctx.target.localPath))
    return reply(ctx, 204)
  }
  await fs.promises.rm(ctx.target.localPath, { recursive: true, force: true })
  return reply(ctx, 204)
}

export async function handleMkcol(ctx: RequestContext): Promise<void> {
  await drainBody(ctx.req)
  if (await ctx.nodes.stat(ctx.target.localPath)) return reply(ctx, 405)
  const parent = await ctx.nodes.stat(path.dirname(ctx.target.localPath))
  if (!parent?.isDir || parent.phantom) return reply(ctx, 409)
  try {
    await fs.promises.mkdir(ctx.target.localPath)
  } catch (err) {
    // Made by a request at the same moment: it exists, as MEGAcmd says.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return reply(ctx, 405)
    throw err
  }
  return reply(ctx, 201)
}

export async function handleMoveOrCopy(ctx: RequestContext, kind: 'MOVE' | 'COPY'): Promise<void> {
  await drainBody(ctx.req)
  const { target, req } = ctx
  const destination = req.headers['destination']
  const host = req.headers.host ?? ''
  const base = `http://${host}/${target.served.handle}/`
  const prefixes = [base + encodeName(target.servedName, 'lower') + '/', base + encodeName(target.servedName, 'upper') + '/']
  const prefix = typeof destination === 'string' ? prefixes.find(p => destination.startsWith(p)) : undefined
  if (typeof destination !== 'string' || prefix === undefined) return reply(ctx, 502)
  const rest = destination.slice(prefix.length)
  // Not trimmed, as in MEGA: 'dest/' names nothing and fails.
  if (rest === '' || rest.endsWith('/')) return reply(ctx, 409)
  const names = rest.split('/').map(decodeSegment)
  if (names.some(n => n === null || n === '' || n === '.' || n === '..' || n.includes('/'))) return reply(ctx, 409)
  const destLocal = path.join(target.served.localPath, ...(names as string[]))

  const source = await ctx.nodes.stat(target.localPath)
  if (!source || source.phantom) return reply(ctx, 404)
  if (target.rel.length === 0 || destLocal === target.localPath) return reply(ctx, 403)
  if (destLocal.startsWith(target.localPath + path.sep)) return reply(ctx, 409)
  const destParent = await ctx.nodes.stat(path.dirname(destLocal))
  if (!destParent?.isDir || destParent.phantom) return reply(ctx, 409)
  if (await ctx.nodes.stat(destLocal)) {
    if (req.headers['overwrite'] === 'F') return reply(ctx, 412)
    await fs.promises.rm(destLocal, { recursive: true, force: true })
  }
  if (kind === 'MOVE') {
    await fs.promises.rename(target.localPath, destLocal)
    return reply(ctx, 204)
  }
  await fs.promises.cp(target.localPath, destLocal, { recursive: true, errorOnExist: true, force: false })
  return reply(ctx, 201)
}
