// What the FUSE adapter (src/fuse/) sees of the filesystem core. Everything
// here is free of fuse-native so the core can be tested without a mount.
// All methods reject with FsError (src/errors.ts); anything else is a bug and
// the adapter logs it and answers EIO.

export interface Attr {
  /** Full st_mode: type bits (0o040000 folder, 0o100000 file) | permissions. */
  mode: number
  size: number
  nlink: number
  uid: number
  gid: number
  atimeMs: number
  mtimeMs: number
  ctimeMs: number
  /** 512-byte blocks, for du. */
  blocks: number
}

export interface StatFs {
  blockSize: number
  blocks: number
  blocksFree: number
  blocksAvailable: number
  files: number
  filesFree: number
  nameMax: number
}

/** An open file. The adapter maps kernel file handles to these and nothing else.
 *  The kernel may call flush several times per open (once per close of a dup'd
 *  descriptor) and release exactly once. */
export interface FileHandle {
  read(buffer: Buffer, length: number, position: number): Promise<number>
  /** Like read, but the bytes may be a view of memory the handle holds (a
   *  read-ahead window) rather than a copy in `scratch`: valid only until
   *  the caller next awaits, so it is used at once (a FUSE reply) or copied. */
  readView?(scratch: Buffer, length: number, position: number): Promise<Buffer>
  write(buffer: Buffer, length: number, position: number): Promise<number>
  truncate(size: number): Promise<void>
  getattr(): Promise<Attr>
  flush(): Promise<void>
  fsync(): Promise<void>
  release(): Promise<void>
}

export interface DirEntries {
  names: string[]
  /** Same order as names; lets the adapter answer readdirplus-style. */
  attrs: Attr[]
}

/** What the core learned changed, for whoever caches its answers (the
 *  libfuse 3 adapter tells the kernel). Paths are the core's. */
export type FsChange =
  /** The server's listing of this folder was just fetched: its entries may
   *  differ from what was answered before. */
  | { kind: 'listed'; path: string }
  /** This entry changed (an upload finished, a change made through the
   *  mount reached the server): its attributes, and its folder's. */
  | { kind: 'changed'; path: string }
  /** Anything at or below path (everything when null) may have changed:
   *  `mountctl refresh`. */
  | { kind: 'refreshed'; path: string | null }

export type FsChangeListener = (change: FsChange) => void

/** The operations that change a file system: the core's, which hands them
 *  to its WritePolicy (write/write-policy.ts). */
export interface FileChanges {
  create(path: string, mode: number): Promise<FileHandle>
  truncate(path: string, size: number): Promise<void>
  unlink(path: string): Promise<void>
  mkdir(path: string, mode: number): Promise<void>
  rmdir(path: string): Promise<void>
  rename(from: string, to: string): Promise<void>
  chmod(path: string, mode: number): Promise<void>
  chown(path: string, uid: number, gid: number): Promise<void>
  utimens(path: string, atimeMs: number, mtimeMs: number): Promise<void>
}

export interface FileSystem extends FileChanges {
  getattr(path: string): Promise<Attr>
  readdir(path: string): Promise<DirEntries>
  /** flags are open(2) flags (O_WRONLY, O_RDWR, O_TRUNC, O_APPEND, ...). */
  open(path: string, flags: number): Promise<FileHandle>
  statfs(path: string): Promise<StatFs>
  /** Calls listener with each change the core learns of; returns the way
   *  to stop. Optional: a filesystem without it never changes behind the
   *  adapter's back. */
  watch?(listener: FsChangeListener): () => void
}
