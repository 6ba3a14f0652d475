// The largest file a mount accepts. Writing or truncating past it answers
// EFBIG ("File too large"), as a local filesystem does at its own limit,
// before anything is staged. 16 TiB is what ext4, the usual filesystem of
// the staging folder, can hold in one file (with 4 KiB blocks), and far
// beyond any file MEGA keeps; JavaScript counts bytes exactly up to 2^53, so
// nothing near the limit loses precision. docs/writes.md says so.
import { FsError } from '../errors.js'

export const MAX_FILE_BYTES = 16 * 1024 ** 4

/** Throws EFBIG when a file would end past MAX_FILE_BYTES. */
export function checkFileEnd(end: number, what: string): void {
  if (end > MAX_FILE_BYTES) {
    throw new FsError('EFBIG', `${what}: ${end} bytes is more than the largest file a mount accepts (${MAX_FILE_BYTES} bytes, 16 TiB)`)
  }
}
