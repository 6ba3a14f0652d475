// The two drivers for fs-cases.ts: MegaFs called directly (doing what the
// kernel does around it: a lookup before O_CREAT, the file position), and
// node:fs on a mounted folder.

import { constants as C } from 'node:fs'
import * as nodeFs from 'node:fs/promises'
import { join } from 'node:path'
import type { MegaFs } from '../../src/vfs/mega-fs.js'
import { TRASH_ROOT } from '../../src/vfs/trash/trash.js'
import type { FileHandle } from '../../src/vfs/types.js'
import type { UploadQueue } from '../../src/vfs/write/upload-queue.js'
import type { FsDriver, FsHandle, OpenFlag } from './fs-cases.js'
import { sha256 } from './fs-cases.js'
import { backendUnderTest } from './mount-child-process.js'
import { treeDigest } from './webdav-servers.js'

export interface CoreWrites {
  queue: UploadQueue
  /** Moves the injected clock and timers (the upload delay). */
  advance(ms: number): Promise<void>
  uploadDelayMs: number
  /** The fake server's content: path -> content, or null for a folder. */
  serverNodes(): Iterable<[string, Buffer | null]>
}

function coreHandle(h: FileHandle, append: boolean): FsHandle {
  let position = 0
  return {
    async write(data, at) {
      const buf = Buffer.from(data)
      // O_APPEND: the kernel sends the size it knows as the offset.
      const offset = append ? (await h.getattr()).size : (at ?? position)
      const n = await h.write(buf, buf.length, offset)
      if (at === undefined) position = offset + n
    },
    async read(length, at) {
      const buf = Buffer.alloc(length)
      return buf.subarray(0, await h.read(buf, length, at))
    },
    truncate: size => h.truncate(size),
    fsync: () => h.fsync(),
    async close() {
      await h.flush()
      await h.release()
    },
  }
}

export function megaFsDriver(fs: MegaFs, writes?: CoreWrites): FsDriver {
  async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const h = await fs.open(path, C.O_RDONLY)
    try {
      const buf = Buffer.alloc(length)
      const n = await h.read(buf, length, offset)
      return buf.subarray(0, n)
    } finally {
      await h.release()
    }
  }
  const exists = (path: string) =>
    fs.getattr(path).then(
      () => true,
      err => {
        if ((err as { code?: string }).code === 'ENOENT') return false
        throw err
      },
    )
  async function open(path: string, flag: OpenFlag): Promise<FileHandle> {
    if (flag === 'r') return fs.open(path, C.O_RDONLY)
    if (flag === 'r+') return fs.open(path, C.O_RDWR)
    // O_CREAT: the kernel looks the name up first and calls create only
    // for a new one.
    if (await exists(path)) {
      if (flag === 'wx') throw Object.assign(new Error(`${path} exists`), { code: 'EEXIST' })
      const flags = { w: C.O_WRONLY | C.O_TRUNC, 'w+': C.O_RDWR | C.O_TRUNC, a: C.O_WRONLY | C.O_APPEND }[flag]
      return fs.open(path, flags)
    }
    return fs.create(path, 0o644)
  }
  return {
    backend: 'core',
    readdir: async path => (await fs.readdir(path)).names,
    stat: async path => {
      const a = await fs.getattr(path)
      return { isDir: (a.mode & 0o170000) === 0o040000, size: a.size, mode: a.mode, mtimeMs: a.mtimeMs }
    },
    readFile: async path => readRange(path, 0, (await fs.getattr(path)).size),
    readRange,
    open: async (path, flag) => coreHandle(await open(path, flag), flag === 'a'),
    truncate: (path, size) => fs.truncate(path, size),
    rename: (from, to) => fs.rename(from, to),
    unlink: path => fs.unlink(path),
    mkdir: path => fs.mkdir(path, 0o755),
    rmdir: path => fs.rmdir(path),
    chmod: (path, mode) => fs.chmod(path, mode),
    utimes: (path, mtimeMs) => fs.utimens(path, mtimeMs, mtimeMs),
    async drain() {
      if (!writes) throw new Error('this MegaFs has no write policy')
      // The upload delay passes on the injected timers; drain() then waits
      // for what those uploads started (and sends anything left).
      await writes.advance(writes.uploadDelayMs)
      const { snapshot } = await writes.queue.drain()
      if (snapshot.failed.length > 0) throw new Error(`failed uploads: ${JSON.stringify(snapshot.failed)}`)
    },
    serverTree: writes
      ? async () => {
          const out: Record<string, string> = {}
          for (const [path, content] of writes.serverNodes()) {
            if (path === '/' || path === TRASH_ROOT || path.startsWith(TRASH_ROOT + '/')) continue
            out[path.slice(1)] = content ? sha256(content) : 'dir'
          }
          return out
        }
      : undefined,
  }
}

export interface MountServer {
  /** The local folder the server serves. */
  folder: string
  /** Entries of that folder's root the test put beside the fixture. */
  extras: string[]
  /** The mount child's drain command. */
  drain(): Promise<{ failed: unknown[] }>
}

export function mountDriver(mountpoint: string, server?: MountServer): FsDriver {
  const at = (path: string) => join(mountpoint, path)
  return {
    backend: backendUnderTest(),
    readdir: async path => {
      const names = await nodeFs.readdir(at(path))
      return path === '/' && server ? names.filter(n => !server.extras.includes(n)) : names
    },
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
    async open(path, flag) {
      const fh = await nodeFs.open(at(path), flag)
      return {
        async write(data, position) {
          const buf = Buffer.from(data)
          await fh.write(buf, 0, buf.length, position ?? null)
        },
        async read(length, position) {
          const buf = Buffer.alloc(length)
          const { bytesRead } = await fh.read(buf, 0, length, position)
          return buf.subarray(0, bytesRead)
        },
        truncate: size => fh.truncate(size),
        fsync: () => fh.sync(),
        close: () => fh.close(),
      }
    },
    truncate: (path, size) => nodeFs.truncate(at(path), size),
    rename: (from, to) => nodeFs.rename(at(from), at(to)),
    unlink: path => nodeFs.unlink(at(path)),
    mkdir: path => nodeFs.mkdir(at(path)),
    rmdir: path => nodeFs.rmdir(at(path)),
    chmod: (path, mode) => nodeFs.chmod(at(path), mode),
    utimes: (path, mtimeMs) => nodeFs.utimes(at(path), new Date(mtimeMs), new Date(mtimeMs)),
    async drain() {
      if (!server) throw new Error('this mount has no write policy')
      const snapshot = await server.drain()
      if (snapshot.failed.length > 0) throw new Error(`failed uploads: ${JSON.stringify(snapshot.failed)}`)
    },
    serverTree: server ? () => treeDigest(server.folder, ['.megamount-trash', ...server.extras]) : undefined,
  }
}
