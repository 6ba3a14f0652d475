// Types for the parts of fuse-native 2.2 this project uses. fuse-native's
// callbacks take a return code first: 0 or a negative errno, or for read and
// write the number of bytes; a value second where the op returns one.

declare module 'fuse-native' {
  export interface FuseStat {
    mode: number
    uid: number
    gid: number
    size: number
    nlink: number
    blocks: number
    blksize?: number
    ino?: number
    dev?: number
    rdev?: number
    /** Dates or ms since the epoch. */
    atime: Date | number
    mtime: Date | number
    ctime: Date | number
  }

  export interface FuseStatFs {
    bsize: number
    frsize: number
    blocks: number
    bfree: number
    bavail: number
    files: number
    ffree: number
    favail: number
    fsid: number
    flag: number
    namemax: number
  }

  type Done = (code: number) => void
  type DoneWith<T> = (code: number, value?: T) => void

  export interface FuseOperations {
    init?(cb: Done): void
    statfs?(path: string, cb: DoneWith<FuseStatFs>): void
    getattr?(path: string, cb: DoneWith<FuseStat>): void
    fgetattr?(path: string, fd: number, cb: DoneWith<FuseStat>): void
    access?(path: string, mode: number, cb: Done): void
    readdir?(path: string, cb: (code: number, names?: string[], stats?: FuseStat[]) => void): void
    open?(path: string, flags: number, cb: DoneWith<number>): void
    create?(path: string, mode: number, cb: DoneWith<number>): void
    read?(path: string, fd: number, buffer: Buffer, length: number, position: number, cb: Done): void
    write?(path: string, fd: number, buffer: Buffer, length: number, position: number, cb: Done): void
    release?(path: string, fd: number, cb: Done): void
    flush?(path: string, fd: number, cb: Done): void
    fsync?(path: string, datasync: number, fd: number, cb: Done): void
    truncate?(path: string, size: number, cb: Done): void
    ftruncate?(path: string, fd: number, size: number, cb: Done): void
    unlink?(path: string, cb: Done): void
    mkdir?(path: string, mode: number, cb: Done): void
    rmdir?(path: string, cb: Done): void
    rename?(src: string, dest: string, cb: Done): void
    chmod?(path: string, mode: number, cb: Done): void
    chown?(path: string, uid: number, gid: number, cb: Done): void
    utimens?(path: string, atime: number, mtime: number, cb: Done): void
    mknod?(path: string, mode: number, dev: number, cb: Done): void
    link?(src: string, dest: string, cb: Done): void
    symlink?(src: string, dest: string, cb: Done): void
  }

  export interface FuseOptions {
    /** Per-operation backstop in ms; an op not answered in time gets ETIMEDOUT. */
    timeout?: number | false
    fsname?: string
    subtype?: string
    autoCache?: boolean
    /** Seconds. */
    attrTimeout?: number
    /** Seconds. */
    entryTimeout?: number
    allowOther?: boolean
    debug?: boolean
    force?: boolean
    mkdir?: boolean
    maxRead?: number
    displayFolder?: boolean
  }

  export default class Fuse {
    constructor(mountpoint: string, ops: FuseOperations, options?: FuseOptions)
    readonly mnt: string
    mount(cb: (err: Error | null) => void): void
    unmount(cb: (err: Error | null) => void): void
    static unmount(mountpoint: string, cb: (err: Error | null) => void): void
  }
}
