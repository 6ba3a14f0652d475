// One set of functional cases for a mount, run two ways: against MegaFs
// directly and through a real kernel mount (served by a child process).
// A driver hides which one it is; errors are compared by code.

import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { patternBuffer, type FakeRemote } from './fake-remote.js'

export interface FsDriver {
  readdir(path: string): Promise<string[]>
  stat(path: string): Promise<{ isDir: boolean; size: number; mode: number; mtimeMs: number }>
  readFile(path: string): Promise<Buffer>
  readRange(path: string, offset: number, length: number): Promise<Buffer>
  /** Write attempts; each must reject. */
  writes: Record<'create' | 'write' | 'truncate' | 'rename' | 'unlink' | 'mkdir' | 'rmdir' | 'chmod' | 'utimens', () => Promise<unknown>>
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

export function addFixture(remote: FakeRemote): void {
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

export function runFsCases(t: Test, driver: FsDriver, options: { readOnly: boolean }): Promise<void> {
  return t.test('functional cases', async t => {
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

    t.test('read whole files', async t => {
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

    t.test('missing names are ENOENT', async t => {
      t.equal(await errorCode(driver.stat('/nope')), 'ENOENT')
      t.equal(await errorCode(driver.stat('/sub folder/.hidden')), 'ENOENT')
      t.equal(await errorCode(driver.readFile('/nope.txt')), 'ENOENT')
      t.equal(await errorCode(driver.readdir('/no folder')), 'ENOENT')
      t.equal(await errorCode(driver.stat('/no folder/.directory')), 'ENOENT')
    })

    t.test('every kind of write is EROFS', async t => {
      for (const [name, attempt] of Object.entries(driver.writes)) t.equal(await errorCode(attempt()), 'EROFS', name)
      t.equal(sha256(await driver.readFile('/plain.txt')), sha256(FIXTURE_FILES['/plain.txt']!), 'content unchanged')
    })
  }).then(() => {})
}

/** A path of exactly `bytes` bytes: folders of 200-byte names, then a file
 *  name making up the rest (at least 10 bytes). */
export function deepFilePath(bytes: number): string {
  let path = ''
  for (let i = 0; bytes - path.length - 201 >= 11; i++) path += '/' + `dir${i}`.padEnd(200, 'd')
  return path + '/' + 'f'.repeat(bytes - path.length - 1)
}
