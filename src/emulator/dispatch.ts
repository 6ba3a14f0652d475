import { handleGet } from './get.js'
import { handlePropfind } from './propfind.js'
import { handlePut } from './put.js'
import { handleDelete, handleMkcol, handleMoveOrCopy } from './tree-methods.js'
import { handleLock, handleOptions, handleProppatch, handleUnlock } from './fake-dav-methods.js'
import type { RequestContext } from './request-context.js'

/** One handler per WebDAV method the bridge knows. */
export const METHOD_HANDLERS: Readonly<Record<string, (ctx: RequestContext) => Promise<void>>> = {
  GET: handleGet,
  HEAD: handleGet,
  PROPFIND: handlePropfind,
  PUT: handlePut,
  DELETE: handleDelete,
  MKCOL: handleMkcol,
  MOVE: ctx => handleMoveOrCopy(ctx, 'MOVE'),
  COPY: ctx => handleMoveOrCopy(ctx, 'COPY'),
  LOCK: handleLock,
  UNLOCK: handleUnlock,
  PROPPATCH: handleProppatch,
  OPTIONS: handleOptions,
}

/** Answers that MEGA's server sends without `Connection: close`, although
 *  it closes the connection after them too: keep-alive clients then reuse a
 *  dead socket. */
export const CLOSES_WITHOUT_SAYING = new Set(['PROPFIND', 'PROPPATCH', 'LOCK'])
