// The FUSE ceiling: a trivial fuse-native filesystem serving a copy of a
// folder from memory, run as a child process of the bench (never mount in
// the process that reads the mount). No network, no cache logic: what is left
// is the cost of FUSE and fuse-native themselves.
// Usage: node dist/bench/memfs.js SOURCE_DIR MOUNTPOINT
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

// fuse-native ships no types; the adapter in src/fuse owns the project's
// declaration, so this child loads it untyped through the small shape it uses.
interface FuseInstance {
  mount(cb: (err: Error | null) => void): void
  unmount(cb: (err?: Error | null) => void): void
}
interface FuseModule {
  new (mnt: string, ops: object, opts: object): FuseInstance
  ENOENT: number
  EEXIST: number
  EISDIR: number
  ENOTDIR: number
  ENOTEMPTY: number
}
const Fuse = createRequire(import.meta.url)('fuse-native') as FuseModule

interface MemDir { kind: 'dir'; names: Set<string>; mtime: Date }
interface MemFile { kind: 'file'; data: Buffer; size: number; mtime: Date }
type MemNode = MemDir | MemFile

const nodes = new Map<string, MemNode>()

function load(source: string, path: string): void {
  const names = new Set<string>()
  nodes.set(path, { kind: 'dir', names, mtime: new Date() })
  for (const entry of readdirSync(join(source, path), { withFileTypes: true })) {
    names.add(entry.name)
    const child = path === '/' ? `/${entry.name}` : `${path}/${entry.name}`
    if (entry.isDirectory()) load(source, child)
    else {
      const data = readFileSync(join(source, child))
      nodes.set(child, { kind: 'file', data, size: data.length, mtime: statSync(join(source, child)).mtime })
    }
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i <= 0 ? '/' : path.slice(0, i)
}
function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function attrOf(node: MemNode) {
  const base = { mtime: node.mtime, atime: node.mtime, ctime: node.mtime, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }
  return node.kind === 'dir'
    ? { ...base, mode: 0o40755, size: 4096, nlink: 2 }
    : { ...base, mode: 0o100644, size: node.size, nlink: 1 }
}

function addChild(path: string, node: MemNode): number {
  const parent = nodes.get(parentOf(path))
  if (!parent || parent.kind !== 'dir') return Fuse.ENOENT
  if (nodes.has(path)) return Fuse.EEXIST
  parent.names.add(nameOf(path))
  nodes.set(path, node)
  return 0
}

function removeChild(path: string): void {
  const parent = nodes.get(parentOf(path))
  if (parent?.kind === 'dir') parent.names.delete(nameOf(path))
  nodes.delete(path)
}

function fileAt(path: string): MemFile | number {
  const node = nodes.get(path)
  if (!node) return Fuse.ENOENT
  if (node.kind !== 'file') return Fuse.EISDIR
  return node
}

function resize(file: MemFile, size: number): void {
  if (size > file.data.length) {
    const grown = Buffer.alloc(Math.max(size, file.data.length * 2))
    file.data.copy(grown, 0, 0, file.size)
    file.data = grown
  } else if (size < file.size) {
    file.data.fill(0, size, file.size)
  }
  file.size = size
  file.mtime = new Date()
}

type Cb = (code: number, ...rest: unknown[]) => void

const ops = {
  readdir(path: string, cb: Cb) {
    const node = nodes.get(path)
    if (!node) return cb(Fuse.ENOENT)
    if (node.kind !== 'dir') return cb(Fuse.ENOTDIR)
    cb(0, [...node.names])
  },
  getattr(path: string, cb: Cb) {
    const node = nodes.get(path)
    if (!node) return cb(Fuse.ENOENT)
    cb(0, attrOf(node))
  },
  open(path: string, _flags: number, cb: Cb) {
    const file = fileAt(path)
    if (typeof file === 'number') return cb(file)
    cb(0, 1)
  },
  release(_path: string, _fd: number, cb: Cb) {
    cb(0)
  },
  read(path: string, _fd: number, buf: Buffer, len: number, pos: number, cb: Cb) {
    const file = fileAt(path)
    if (typeof file === 'number') return cb(file)
    if (pos >= file.size) return cb(0)
    const end = Math.min(file.size, pos + len)
    file.data.copy(buf, 0, pos, end)
    cb(end - pos)
  },
  create(path: string, _mode: number, cb: Cb) {
    const code = addChild(path, { kind: 'file', data: Buffer.alloc(0), size: 0, mtime: new Date() })
    if (code !== 0) return cb(code)
    cb(0, 1)
  },
  write(path: string, _fd: number, buf: Buffer, len: number, pos: number, cb: Cb) {
    const file = fileAt(path)
    if (typeof file === 'number') return cb(file)
    if (pos + len > file.size) resize(file, pos + len)
    buf.copy(file.data, pos, 0, len)
    cb(len)
  },
  truncate(path: string, size: number, cb: Cb) {
    const file = fileAt(path)
    if (typeof file === 'number') return cb(file)
    resize(file, size)
    cb(0)
  },
  ftruncate(path: string, _fd: number, size: number, cb: Cb) {
    ops.truncate(path, size, cb)
  },
  utimens(_path: string, _atime: unknown, _mtime: unknown, cb: Cb) {
    cb(0)
  },
  chmod(_path: string, _mode: number, cb: Cb) {
    cb(0)
  },
  chown(_path: string, _uid: number, _gid: number, cb: Cb) {
    cb(0)
  },
  mkdir(path: string, _mode: number, cb: Cb) {
    cb(addChild(path, { kind: 'dir', names: new Set(), mtime: new Date() }))
  },
  unlink(path: string, cb: Cb) {
    const file = fileAt(path)
    if (typeof file === 'number') return cb(file)
    removeChild(path)
    cb(0)
  },
  rmdir(path: string, cb: Cb) {
    const node = nodes.get(path)
    if (!node) return cb(Fuse.ENOENT)
    if (node.kind !== 'dir') return cb(Fuse.ENOTDIR)
    if (node.names.size > 0) return cb(Fuse.ENOTEMPTY)
    removeChild(path)
    cb(0)
  },
}

const [source, mountpoint] = process.argv.slice(2)
if (!source || !mountpoint) {
  console.error('usage: node dist/bench/memfs.js SOURCE_DIR MOUNTPOINT')
  process.exit(2)
}
load(source, '/')
// The best a fuse-native filesystem can do: the kernel may keep pages and
// attributes (the bench drops the kernel caches itself before cold runs).
const fuse = new Fuse(mountpoint, ops, { force: true, mkdir: true, kernelCache: true, attrTimeout: 60, entryTimeout: 60 })
fuse.mount((err: Error | null) => {
  if (err) {
    console.error(`memfs: cannot mount ${mountpoint}: ${err.message}`)
    process.exit(1)
  }
  console.log(`memfs: serving ${nodes.size} entries at ${mountpoint}`)
})
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  fuse.unmount(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
