// A whole file read through the filesystem core (no mount), 128 KiB per
// read as the kernel would ask, for tests that compare it with what the
// server holds.
import { constants as fsConstants } from 'node:fs'
import type { MegaFs } from '../../src/vfs/mega-fs.js'

export async function readAll(fs: MegaFs, path: string): Promise<Buffer> {
  const size = (await fs.getattr(path)).size
  const h = await fs.open(path, fsConstants.O_RDONLY)
  try {
    const out = Buffer.alloc(size)
    for (let pos = 0; pos < size; pos += 128 * 1024) await h.read(out.subarray(pos), Math.min(128 * 1024, size - pos), pos)
    return out
  } finally {
    await h.release()
  }
}
