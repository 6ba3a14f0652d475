// One vfstest-style suite of functional cases for a mount (rclone's vfstest
// is the model), run against MegaFs directly (test/vfs/fs-cases-direct.test.ts)
// and through real kernel mounts on each server and FUSE backend
// (test/fuse/mount-emulator.test.ts, mount-rclone.test.ts, their fuse-native
// twins). A driver hides which one it is (test/helpers/fs-drivers.ts);
// errors are compared by code. The write cases are in fs-write-cases.ts.

import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { patternBuffer } from './fake-remote.js'
import { runWriteCases } from './fs-write-cases.js'

export type OpenFlag = 'r' | 'r+' | 'w' | 'w+' | 'wx' | 'a'

/** An open file, with a file position like a descriptor's. */
export interface FsHandle {
  /** Writes at position, or at the file position (advancing it) when none. */
  write(data: Buffer | string, position?: number): Promise<void>
  read(length: number, position: number): Promise<Buffer>
  truncate(size: number): Promise<void>
  fsync(): Promise<void>
  close(): Promise<void>
}

export interface FsStat {
  isDir: boolean
  size: number
  mode: number
  mtimeMs: number
}

export interface FsDriver {
  /** Who serves the calls: 'core' (MegaFs called directly) or a FUSE backend. */
  backend: string
  readdir(path: string): Promise<string[]>
  stat(path: string): Promise<FsStat>
  readFile(path: string): Promise<Buffer>
  readRange(path: string, offset: number, length: number): Promise<Buffer>
  /** open(2) as node:fs names its flags ('w' creates or truncates, 'w+'
   *  also reads, 'wx' fails with EEXIST, 'a' is O_APPEND). */
  open(path: string, flag: OpenFlag): Promise<FsHandle>
  truncate(path: string, size: number): Promise<void>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  mkdir(path: string): Promise<void>
  rmdir(path: string): Promise<void>
  chmod(path: string, mode: number): Promise<void>
  utimes(path: string, mtimeMs: number): Promise<void>
  /** Upload everything closed now and wait until the queue is empty. */
  drain(): Promise<void>
  /** What the server holds: relative path -> sha256 of a file, or 'dir';
   *  without the trash and without what the driver's set-up added beside
   *  the fixture. Absent where the server cannot be seen (a read-only mount
   *  over the fake remote, whose remote refuses every change anyway). */
  serverTree?(): Promise<Record<string, string>>
}

/** Names that break naive URL or XML handling. */
export const FIXTURE_FILES: Record<string, Buffer> = {
  '/plain.txt': Buffer.from('plain\n'),
  '/with space.txt': Buffer.from('space\n'),
  '/plus+sign.txt': Buffer.from('plus\n'),
  '/percent%20literal.txt': Buffer.from('percent\n'),
  '/hash#tag.txt': Buffer.from('hash\n'),
  '/question?mark.txt': Buffer.from('question\n'),
  '/amp&ersand.txt': Buffer.from('amp\n'),
  "/single'quote.txt": Buffer.from('single\n'),
  '/double"quote.txt': Buffer.from('double\n'),
  '/nön-ascii ✓ 日本語.txt': Buffer.from('unicode\n'),
  '/sub folder/inner file.bin': patternBuffer(300 * 1024, 5),
  '/sub folder/deeper/x&y+z.txt': Buffer.from('deep\n'),
  '/big.bin': patternBuffer(3 * 1024 * 1024 + 123, 8),
}
export const FIXTURE_FOLDERS = ['/sub folder', '/sub folder/deeper', '/empty folder']

/** Where the write cases work, one folder per case. */
export const CASES_FOLDER = '/vfstest'

export function addFixture(remote: { addFolder(path: string): unknown; addFile(path: string, content: Buffer): unknown }): void {
  for (const folder of FIXTURE_FOLDERS) remote.addFolder(folder)
  for (const [path, content] of Object.entries(FIXTURE_FILES)) remote.addFile(path, content)
}

/** The same tree in a local folder (an emulator account root). */
export async function writeFixture(root: string): Promise<void> {
  for (const folder of FIXTURE_FOLDERS) await mkdir(join(root, folder), { recursive: true })
  for (const [path, content] of Object.entries(FIXTURE_FILES)) await writeFile(join(root, path), content)
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    return String((err as { code?: unknown }).code ?? err)
  }
}

/** The fixture as serverTree() gives it. */
export function fixtureTree(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const folder of FIXTURE_FOLDERS) out[folder.slice(1)] = 'dir'
  for (const [path, content] of Object.entries(FIXTURE_FILES)) out[path.slice(1)] = sha256(content)
  return out
}

export function sortedTree(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : 1)))
}

/** Read cases, then, for a writable mount, the write cases; for a
 *  read-only profile, every kind of write is EROFS. */
export function runFsCases(t: Test, driver: FsDriver, options: { readOnly: boolean }): Promise<void> {
  return t.test('functional cases', async t => {
    await runReadCases(t, driver, options)
    if (options.readOnly) {
      t.test('read-only profile: every kind of write is EROFS', async t => {
        const attempts: Record<string, () => Promise<unknown>> = {
          create: () => driver.open('/new.txt', 'wx'),
          write: () => driver.open('/plain.txt', 'r+'),
          append: () => driver.open('/plain.txt', 'a'),
          truncate: () => driver.truncate('/plain.txt', 0),
          rename: () => driver.rename('/plain.txt', '/renamed.txt'),
          unlink: () => driver.unlink('/plain.txt'),
          mkdir: () => driver.mkdir('/new folder'),
          rmdir: () => driver.rmdir('/empty folder'),
          chmod: () => driver.chmod('/plain.txt', 0o600),
          utimens: () => driver.utimes('/plain.txt', 0),
        }
        for (const [name, attempt] of Object.entries(attempts)) t.equal(await errorCode(attempt()), 'EROFS', name)
        t.equal(sha256(await driver.readFile('/plain.txt')), sha256(FIXTURE_FILES['/plain.txt']!), 'content unchanged')
        if (driver.serverTree) t.same(sortedTree(await driver.serverTree()), sortedTree(fixtureTree()), 'the server unchanged')
      })
    } else {
      await runWriteCases(t, driver)
    }
  }).then(() => {})
}

/** A path of exactly `bytes` bytes: folders of 200-byte names, then a file
 *  name making up the rest (at least 10 bytes). */
export function deepFilePath(bytes: number): string {
  let path = ''
  for (let i = 0; bytes - path.length - 201 >= 11; i++) path += '/' + `dir${i}`.padEnd(200, 'd')
  return path + '/' + 'f'.repeat(bytes - path.length - 1)
}

async function runReadCases(t: Test, driver: FsDriver, options: { readOnly: boolean }): Promise<void> {
  t.test('root lists every entry once', async t => {
    const names = (await driver.readdir('/')).sort()
    const expected = [
      ...Object.keys(FIXTURE_FILES).filter(p => p.lastIndexOf('/') === 0),
      ...FIXTURE_FOLDERS.filter(p => p.lastIndexOf('/') === 0),
    ].map(p => p.slice(1))
    t.same(names, expected.sort())
    t.same((await driver.readdir('/sub folder')).sort(), ['deeper', 'inner file.bin'])
    t.same(await driver.readdir('/empty folder'), [])
  })

  t.test('stat: sizes, kinds, permissions', async t => {
    const filePerm = options.readOnly ? 0o444 : 0o644
    const dirPerm = options.readOnly ? 0o555 : 0o755
    for (const [path, content] of Object.entries(FIXTURE_FILES)) {
      const s = await driver.stat(path)
      t.equal(s.size, content.length, `${path} size`)
      t.equal(s.isDir, false, `${path} is a file`)
      t.equal(s.mode & 0o777, filePerm, `${path} mode`)
    }
    for (const path of FIXTURE_FOLDERS) {
      const s = await driver.stat(path)
      t.equal(s.isDir, true, `${path} is a folder`)
      t.equal(s.mode & 0o777, dirPerm, `${path} mode`)
    }
  })

  t.test('read whole files, names that break URL and XML handling included', async t => {
    for (const [path, content] of Object.entries(FIXTURE_FILES)) {
      t.equal(sha256(await driver.readFile(path)), sha256(content), path)
    }
  })

  t.test('read ranges', async t => {
    const big = FIXTURE_FILES['/big.bin']!
    for (const [offset, length] of [[0, 10], [1_000_000, 4096], [2 * 1024 * 1024 - 7, 100_000], [big.length - 50, 50], [big.length - 10, 100]] as const) {
      const got = await driver.readRange('/big.bin', offset, length)
      t.ok(got.equals(big.subarray(offset, offset + length)), `[${offset}, +${length})`)
    }
    t.equal((await driver.readRange('/big.bin', big.length + 10, 10)).length, 0, 'past the end')
  })

  t.test('big file read in 64 KiB pieces, in order', async t => {
    const big = FIXTURE_FILES['/big.bin']!
    const h = await driver.open('/big.bin', 'r')
    try {
      const parts: Buffer[] = []
      for (let at = 0; at < big.length; at += 65536) parts.push(await h.read(65536, at))
      t.equal(sha256(Buffer.concat(parts)), sha256(big))
    } finally {
      await h.close()
    }
  })

  t.test('missing names are ENOENT', async t => {
    t.equal(await errorCode(driver.stat('/nope')), 'ENOENT')
    t.equal(await errorCode(driver.stat('/sub folder/.hidden')), 'ENOENT')
    t.equal(await errorCode(driver.readFile('/nope.txt')), 'ENOENT')
    t.equal(await errorCode(driver.readdir('/no folder')), 'ENOENT')
    t.equal(await errorCode(driver.stat('/no folder/.directory')), 'ENOENT')
    t.equal(await errorCode(driver.open('/nope.txt', 'r')), 'ENOENT')
  })
}
