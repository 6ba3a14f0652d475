import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { reply, type RequestContext } from './request-context.js'

// PUT as MEGA's bridge does it: the whole body goes to a temporary file
// outside the account (MEGAcmd uses ~/.megaCmd), is then "uploaded" (moved
// into the account folder) and only then answered with 201. The new file's
// modification time is the upload time: clients cannot set it.

let uploadCounter = 0

export async function handlePut(ctx: RequestContext): Promise<void> {
  const { target, req } = ctx
  if (target.rel.length === 0) return reply(ctx, 409)
  const parent = await ctx.nodes.stat(path.dirname(target.localPath))
  if (!parent?.isDir || parent.phantom) return reply(ctx, 409)
  const existing = await ctx.nodes.stat(target.localPath)
  if (existing?.isDir) return reply(ctx, 409)
  if (existing && req.headers['overwrite'] === 'F') return reply(ctx, 412)

  const temporary = path.join(ctx.uploadDir, `megamount-emulator-upload-${process.pid}-${uploadCounter++}`)
  try {
    const sink = fs.createWriteStream(temporary)
    if (ctx.pacer) await pipeline(req, ctx.pacer.stream(), sink)
    else await pipeline(req, sink)
  } catch {
    // The client went away mid-body: nothing reaches the account.
    await fs.promises.rm(temporary, { force: true })
    return
  }
  const parentNow = await ctx.nodes.stat(path.dirname(target.localPath))
  if (!parentNow?.isDir) {
    await fs.promises.rm(temporary, { force: true })
    return reply(ctx, 409)
  }
  await moveIntoPlace(temporary, target.localPath)
  const now = new Date()
  await fs.promises.utimes(target.localPath, now, now)
  return reply(ctx, 201)
}

async function moveIntoPlace(from: string, to: string): Promise<void> {
  try {
    await fs.promises.rename(from, to)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err
    // The temporary folder is on another filesystem: copy beside the
    // target, then rename, so readers never see a half-written file.
    const beside = path.join(path.dirname(to), `.${path.basename(to)}.megamount-emulator-${process.pid}-${uploadCounter++}`)
    await fs.promises.copyFile(from, beside)
    await fs.promises.rename(beside, to)
    await fs.promises.rm(from, { force: true })
  }
}
