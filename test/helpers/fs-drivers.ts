// The two drivers for fs-cases.ts: MegaFs called directly, and node:fs on a
// mounted folder.

import { constants as fsConstants } from 'node:fs'
import * as nodeFs from 'node:fs/promises'
import { join } from 'node:path'
import type { MegaFs } from '../../src/vfs/mega-fs.js'
import type { FsDriver } from './fs-cases.js'

export function megaFsDriver(fs: MegaFs): FsDriver {
  async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const h = await fs.open(path, fsConstants.O_RDONLY)
    try {
      const buf = Buffer.alloc(length)
      const n = await h.read(buf, length, offset)
      return buf.subarray(0, n)
    } finally {
      await h.release()
    }
  }
  return {
    readdir: async path => (await fs.readdir(path)).names,
    stat: async path => {
      const a = await fs.getattr(path)
      return { isDir: (a.mode & 0o170000) === 0o040000, size: a.size, mode: a.mode, mtimeMs: a.mtimeMs }
    },
    readFile: async path => readRange(path, 0, (await fs.getattr(path)).size),
    readRange,
    writes: {
      create: () => fs.create('/new.txt', 0o644),
      write: () => fs.open('/plain.txt', fsConstants.O_WRONLY),
      truncate: () => fs.truncate('/plain.txt', 0),
      rename: () => fs.rename('/plain.txt', '/renamed.txt'),
      unlink: () => fs.unlink('/plain.txt'),
      mkdir: () => fs.mkdir('/new folder', 0o755),
      rmdir: () => fs.rmdir('/empty folder'),
      chmod: () => fs.chmod('/plain.txt', 0o600),
      utimens: () => fs.utimens('/plain.txt', 0, 0),
    },
  }
}

export function mountDriver(mountpoint: string): FsDriver {
  const at = (path: string) => join(mountpoint, path)
  return {
    readdir: path => nodeFs.readdir(at(path)),
    stat: async path => {
      const s = await nodeFs.stat(at(path))
      return { isDir: s.isDirectory(), size: s.size, mode: s.mode, mtimeMs: s.mtimeMs }
    },
    readFile: path => nodeFs.readFile(at(path)),
    readRange: async (path, offset, length) => {
      const fh = await nodeFs.open(at(path), 'r')
      try {
        const buf = Buffer.alloc(length)
        const { bytesRead } = await fh.read(buf, 0, length, offset)
        return buf.subarray(0, bytesRead)
      } finally {
        await fh.close()
      }
    },
    writes: {
      create: () => nodeFs.writeFile(at('/new.txt'), 'x', { flag: 'wx' }),
      write: () => nodeFs.writeFile(at('/plain.txt'), 'changed', { flag: 'r+' }),
      truncate: () => nodeFs.truncate(at('/plain.txt'), 0),
      rename: () => nodeFs.rename(at('/plain.txt'), at('/renamed.txt')),
      unlink: () => nodeFs.unlink(at('/plain.txt')),
      mkdir: () => nodeFs.mkdir(at('/new folder')),
      rmdir: () => nodeFs.rmdir(at('/empty folder')),
      chmod: () => nodeFs.chmod(at('/plain.txt'), 0o600),
      utimens: () => nodeFs.utimes(at('/plain.txt'), new Date(0), new Date(0)),
    },
  }
}
