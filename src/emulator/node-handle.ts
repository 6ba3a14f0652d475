import { createHash } from 'node:crypto'

// MEGA addresses a served folder by its node handle: 8 characters of URL-safe
// base64 that stay the same when the folder is renamed or moved. A local
// folder's (device, inode) pair has the same lifetime, so the handle is a
// hash of it: the emulator and the stand-in commands (separate processes)
// compute the same handle without sharing a table.

export const HANDLE_LENGTH = 8

const HANDLE_SHAPE = /^[A-Za-z0-9_-]{8}$/

export function nodeHandle(dev: number | bigint, ino: number | bigint): string {
  const digest = createHash('sha256').update(`megamount-node:${dev}:${ino}`).digest('base64url')
  return digest.slice(0, HANDLE_LENGTH)
}

/** True when `segment` could be a handle: MEGA answers 403 rather than 404
 *  for such a segment when nothing is served under it. */
export function looksLikeHandle(segment: string): boolean {
  return HANDLE_SHAPE.test(segment)
}
