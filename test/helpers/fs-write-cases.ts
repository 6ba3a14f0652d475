// The write cases of the shared suite (fs-cases.ts): each works in its own
// folder below CASES_FOLDER and says what that folder must hold in the end;
// the last case drains the upload queue and checks that the server holds
// exactly the fixture plus those folders, and that the mount shows the same.
// What is asserted is what a local disk does (test/writes/file-ops.test.ts
// compares the same operations with a local folder through a shell script).
// Where a case needs a file already on the server rather than staged, it
// drains the queue first.

import type { Test } from 'tap'
import { patternBuffer } from './fake-remote.js'
import { CASES_FOLDER, FIXTURE_FILES, errorCode, fixtureTree, sha256, sortedTree, type FsDriver, type OpenFlag } from './fs-cases.js'

/** What a case's folder holds at its end: relative path -> content or 'dir'. */
type Expected = Record<string, Buffer | string | 'dir'>

interface WriteCase {
  name: string
  run(t: Test, d: FsDriver, dir: string): Promise<Expected>
}

async function put(d: FsDriver, path: string, data: Buffer | string, flag: OpenFlag = 'w'): Promise<void> {
  const h = await d.open(path, flag)
  try {
    await h.write(data)
  } finally {
    await h.close()
  }
}

const text = async (d: FsDriver, path: string) => (await d.readFile(path)).toString()
const zeros = (n: number) => Buffer.alloc(n)

const CASES: WriteCase[] = [
  {
    name: 'create',
    async run(t, d, dir) {
      await put(d, `${dir}/a.txt`, 'hello\n', 'wx')
      const s = await d.stat(`${dir}/a.txt`)
      t.same({ isDir: s.isDir, size: s.size, mode: s.mode & 0o777 }, { isDir: false, size: 6, mode: 0o644 }, 'stat at once')
      t.equal(await text(d, `${dir}/a.txt`), 'hello\n')
      t.same(await d.readdir(dir), ['a.txt'])
      t.equal(await errorCode(d.open(`${dir}/a.txt`, 'wx')), 'EEXIST', 'O_EXCL on an existing file')
      t.equal(await errorCode(d.open(`${dir}/no folder/b.txt`, 'w')), 'ENOENT', 'in a missing folder')
      t.equal(await errorCode(d.open(`${dir}/a.txt/b.txt`, 'w')), 'ENOTDIR', 'below a file')
      await put(d, `${dir}/empty.txt`, '')
      t.equal((await d.stat(`${dir}/empty.txt`)).size, 0, 'an empty file')
      return { 'a.txt': 'hello\n', 'empty.txt': '' }
    },
  },
  {
    name: 'write at offsets',
    async run(t, d, dir) {
      const h = await d.open(`${dir}/w.bin`, 'w')
      await h.write('abc', 0)
      await h.write('XYZ', 10)
      await h.write('def', 3)
      await h.close()
      const want = Buffer.concat([Buffer.from('abcdef'), zeros(4), Buffer.from('XYZ')])
      t.ok((await d.readFile(`${dir}/w.bin`)).equals(want), 'the gap reads as zeros')
      return { 'w.bin': want }
    },
  },
  {
    name: 'append',
    async run(t, d, dir) {
      await put(d, `${dir}/log.txt`, 'one\n')
      await put(d, `${dir}/log.txt`, 'two\n', 'a')
      t.equal(await text(d, `${dir}/log.txt`), 'one\ntwo\n', 'to a staged file')
      await d.drain()
      await put(d, `${dir}/log.txt`, 'three\n', 'a')
      t.equal((await d.stat(`${dir}/log.txt`)).size, 14, 'stat at once')
      t.equal(await text(d, `${dir}/log.txt`), 'one\ntwo\nthree\n', 'to a file on the server')
      return { 'log.txt': 'one\ntwo\nthree\n' }
    },
  },
  {
    name: 'O_APPEND from two writers',
    async run(t, d, dir) {
      await put(d, `${dir}/log.txt`, 'L0\n')
      await d.drain()
      const a = await d.open(`${dir}/log.txt`, 'a')
      const b = await d.open(`${dir}/log.txt`, 'a')
      await a.write('L1\n')
      await b.write('L2\n')
      await a.write('L3\n')
      await a.close()
      await b.write('L4\n')
      await b.close()
      t.equal(await text(d, `${dir}/log.txt`), 'L0\nL1\nL2\nL3\nL4\n', 'every write lands at the end')
      return { 'log.txt': 'L0\nL1\nL2\nL3\nL4\n' }
    },
  },
  {
    name: 'overwrite in place',
    async run(t, d, dir) {
      const want = Buffer.alloc(300_000, 'b')
      await put(d, `${dir}/mid.bin`, want)
      await d.drain()
      const h = await d.open(`${dir}/mid.bin`, 'r+')
      await h.write('MIDDLE', 150_000)
      await h.close()
      want.write('MIDDLE', 150_000)
      t.equal((await d.stat(`${dir}/mid.bin`)).size, 300_000, 'size unchanged')
      t.equal(sha256(await d.readFile(`${dir}/mid.bin`)), sha256(want))
      t.equal((await d.readRange(`${dir}/mid.bin`, 149_998, 10)).toString(), 'bbMIDDLEbb')
      return { 'mid.bin': want }
    },
  },
  {
    name: 'truncate shorter',
    async run(t, d, dir) {
      await put(d, `${dir}/t.txt`, 'hello world')
      await d.drain()
      await d.truncate(`${dir}/t.txt`, 5)
      t.equal((await d.stat(`${dir}/t.txt`)).size, 5)
      t.equal(await text(d, `${dir}/t.txt`), 'hello')
      await put(d, `${dir}/staged.txt`, 'staged text')
      await d.truncate(`${dir}/staged.txt`, 0)
      t.equal((await d.stat(`${dir}/staged.txt`)).size, 0, 'a staged file to zero')
      await put(d, `${dir}/emptied.txt`, 'to be emptied')
      await d.drain()
      await (await d.open(`${dir}/emptied.txt`, 'w')).close() // `: > file`
      t.equal((await d.stat(`${dir}/emptied.txt`)).size, 0, 'O_TRUNC with no write empties a file on the server')
      t.equal(await errorCode(d.truncate(`${dir}/missing.txt`, 0)), 'ENOENT')
      t.equal(await errorCode(d.truncate(dir, 0)), 'EISDIR')
      return { 't.txt': 'hello', 'staged.txt': '', 'emptied.txt': '' }
    },
  },
  {
    name: 'truncate longer',
    async run(t, d, dir) {
      await put(d, `${dir}/t.txt`, 'abc')
      await d.drain()
      await d.truncate(`${dir}/t.txt`, 10)
      const want = Buffer.concat([Buffer.from('abc'), zeros(7)])
      t.equal((await d.stat(`${dir}/t.txt`)).size, 10)
      t.ok((await d.readFile(`${dir}/t.txt`)).equals(want), 'zeros after the old end')
      // ftruncate through an open handle, then a write after the new end.
      const h = await d.open(`${dir}/f.txt`, 'w')
      await h.write('0123456789')
      await h.truncate(2)
      await h.write('Z', 4)
      await h.close()
      const f = Buffer.from('01\0\0Z')
      t.ok((await d.readFile(`${dir}/f.txt`)).equals(f), 'ftruncate, then a write past the end')
      return { 't.txt': want, 'f.txt': f }
    },
  },
  {
    name: 'sparse write past the end',
    async run(t, d, dir) {
      await put(d, `${dir}/sparse.bin`, 'start')
      await d.drain()
      const h = await d.open(`${dir}/sparse.bin`, 'r+')
      await h.write('end', 4_999_997)
      await h.close()
      const want = zeros(5_000_000)
      want.write('start', 0)
      want.write('end', 4_999_997)
      t.equal((await d.stat(`${dir}/sparse.bin`)).size, 5_000_000)
      t.ok((await d.readRange(`${dir}/sparse.bin`, 1_000_000, 4096)).equals(zeros(4096)), 'the hole reads as zeros')
      t.equal(sha256(await d.readFile(`${dir}/sparse.bin`)), sha256(want))
      return { 'sparse.bin': want }
    },
  },
  {
    name: 'read your writes before any upload',
    async run(t, d, dir) {
      const w = await d.open(`${dir}/ryw.txt`, 'w+')
      await w.write('first ')
      t.equal(await text(d, `${dir}/ryw.txt`), 'first ', 'another open sees the write at once')
      await w.write('second')
      t.equal((await d.stat(`${dir}/ryw.txt`)).size, 12, 'stat follows the writer')
      t.same(await d.readdir(dir), ['ryw.txt'])
      t.equal((await w.read(6, 6)).toString(), 'second', 'the writer reads its own data')
      if (d.serverTree) t.notOk(`${CASES_FOLDER.slice(1)}/read your writes before any upload/ryw.txt` in (await d.serverTree()), 'not on the server while it is open')
      await w.close()
      t.equal(await text(d, `${dir}/ryw.txt`), 'first second')
      return { 'ryw.txt': 'first second' }
    },
  },
  {
    name: 'rename a file',
    async run(t, d, dir) {
      await put(d, `${dir}/server.txt`, 'on the server\n')
      await d.drain()
      await put(d, `${dir}/staged.txt`, 'staged\n')
      await d.rename(`${dir}/server.txt`, `${dir}/server renamed.txt`)
      await d.rename(`${dir}/staged.txt`, `${dir}/staged renamed.txt`)
      t.same((await d.readdir(dir)).sort(), ['server renamed.txt', 'staged renamed.txt'])
      t.equal(await errorCode(d.stat(`${dir}/server.txt`)), 'ENOENT', 'the old name is gone')
      t.equal(await text(d, `${dir}/server renamed.txt`), 'on the server\n')
      t.equal(await text(d, `${dir}/staged renamed.txt`), 'staged\n')
      t.equal(await errorCode(d.rename(`${dir}/missing.txt`, `${dir}/x.txt`)), 'ENOENT')
      return { 'server renamed.txt': 'on the server\n', 'staged renamed.txt': 'staged\n' }
    },
  },
  {
    name: 'rename a file over an existing file',
    async run(t, d, dir) {
      await put(d, `${dir}/one.txt`, 'one\n')
      await put(d, `${dir}/two.txt`, 'two\n')
      await put(d, `${dir}/three.txt`, 'three\n')
      await d.drain()
      await d.rename(`${dir}/one.txt`, `${dir}/two.txt`)
      t.equal(await text(d, `${dir}/two.txt`), 'one\n', 'on the server over on the server')
      await put(d, `${dir}/new.txt`, 'new\n')
      await d.rename(`${dir}/new.txt`, `${dir}/three.txt`)
      t.equal(await text(d, `${dir}/three.txt`), 'new\n', 'staged over on the server')
      t.same((await d.readdir(dir)).sort(), ['three.txt', 'two.txt'])
      await d.mkdir(`${dir}/folder`)
      t.equal(await errorCode(d.rename(`${dir}/two.txt`, `${dir}/folder`)), 'EISDIR', 'a file over a folder')
      return { 'two.txt': 'one\n', 'three.txt': 'new\n', folder: 'dir' }
    },
  },
  {
    name: 'rename a folder',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/src`)
      await d.mkdir(`${dir}/src/sub`)
      await put(d, `${dir}/src/sub/x.txt`, 'x\n')
      await d.drain()
      await put(d, `${dir}/src/y.txt`, 'y staged\n')
      await d.rename(`${dir}/src`, `${dir}/moved`)
      t.same(await d.readdir(dir), ['moved'])
      t.same((await d.readdir(`${dir}/moved`)).sort(), ['sub', 'y.txt'])
      t.equal(await text(d, `${dir}/moved/sub/x.txt`), 'x\n')
      t.equal(await text(d, `${dir}/moved/y.txt`), 'y staged\n', 'a staged file moves with its folder')
      t.equal(await errorCode(d.stat(`${dir}/src`)), 'ENOENT')
      t.equal(await errorCode(d.rename(`${dir}/moved`, `${dir}/moved/sub/inside`)), 'EINVAL', 'into itself')
      return { moved: 'dir', 'moved/sub': 'dir', 'moved/sub/x.txt': 'x\n', 'moved/y.txt': 'y staged\n' }
    },
  },
  {
    name: 'rename a folder over an existing empty folder',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/a`)
      await put(d, `${dir}/a/x.txt`, 'x\n')
      await d.mkdir(`${dir}/b`)
      await d.drain()
      await d.rename(`${dir}/a`, `${dir}/b`)
      t.same(await d.readdir(dir), ['b'])
      t.equal(await text(d, `${dir}/b/x.txt`), 'x\n')
      await put(d, `${dir}/file.txt`, 'f\n')
      t.equal(await errorCode(d.rename(`${dir}/b`, `${dir}/file.txt`)), 'ENOTDIR', 'a folder over a file')
      return { b: 'dir', 'b/x.txt': 'x\n', 'file.txt': 'f\n' }
    },
  },
  {
    name: 'rename a folder over a full folder is ENOTEMPTY',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/a`)
      await put(d, `${dir}/a/x.txt`, 'x\n')
      await d.mkdir(`${dir}/full`)
      await put(d, `${dir}/full/z.txt`, 'z\n')
      await d.mkdir(`${dir}/staged full`)
      await put(d, `${dir}/staged full/s.txt`, 's\n')
      await d.drain()
      await put(d, `${dir}/staged full/t.txt`, 't\n')
      await d.unlink(`${dir}/staged full/s.txt`)
      t.equal(await errorCode(d.rename(`${dir}/a`, `${dir}/full`)), 'ENOTEMPTY')
      t.equal(await errorCode(d.rename(`${dir}/a`, `${dir}/staged full`)), 'ENOTEMPTY', 'full of a file not uploaded yet')
      t.equal(await text(d, `${dir}/a/x.txt`), 'x\n', 'nothing moved')
      t.equal(await text(d, `${dir}/full/z.txt`), 'z\n')
      return { a: 'dir', 'a/x.txt': 'x\n', full: 'dir', 'full/z.txt': 'z\n', 'staged full': 'dir', 'staged full/t.txt': 't\n' }
    },
  },
  {
    name: 'rename into another folder',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/other`)
      await d.mkdir(`${dir}/folder`)
      await put(d, `${dir}/folder/in.txt`, 'in\n')
      await put(d, `${dir}/server.txt`, 'server\n')
      await d.drain()
      await put(d, `${dir}/staged.txt`, 'staged\n')
      await d.rename(`${dir}/folder`, `${dir}/other/folder`)
      await d.rename(`${dir}/server.txt`, `${dir}/other/server.txt`)
      await d.rename(`${dir}/staged.txt`, `${dir}/other/folder/staged.txt`)
      t.same(await d.readdir(dir), ['other'])
      t.same((await d.readdir(`${dir}/other`)).sort(), ['folder', 'server.txt'])
      t.same((await d.readdir(`${dir}/other/folder`)).sort(), ['in.txt', 'staged.txt'])
      t.equal(await text(d, `${dir}/other/folder/staged.txt`), 'staged\n')
      t.equal(await errorCode(d.rename(`${dir}/other/server.txt`, `${dir}/missing/server.txt`)), 'ENOENT', 'into a missing folder')
      return { other: 'dir', 'other/folder': 'dir', 'other/folder/in.txt': 'in\n', 'other/folder/staged.txt': 'staged\n', 'other/server.txt': 'server\n' }
    },
  },
  {
    name: 'rename a file while it is open for writing',
    async run(t, d, dir) {
      // Log rotation: the writer keeps its descriptor across the rename.
      const h = await d.open(`${dir}/app.log`, 'w')
      await h.write('before\n')
      await d.rename(`${dir}/app.log`, `${dir}/app.log.1`)
      await h.write('after\n')
      await h.close()
      t.same(await d.readdir(dir), ['app.log.1'])
      t.equal(await text(d, `${dir}/app.log.1`), 'before\nafter\n', 'every write under the new name')
      return { 'app.log.1': 'before\nafter\n' }
    },
  },
  {
    name: 'unlink a file while it is open',
    async run(t, d, dir) {
      // libfuse 2's high-level API, under fuse-native, renames an open file
      // it is asked to unlink to .fuse_hiddenNNN and removes that at release
      // (no hard_remove): the name shows in listings meanwhile.
      const todo = d.backend === 'fuse-native' && 'fuse-native shows .fuse_hidden* while an unlinked file is open (mounted without hard_remove)'
      const h = await d.open(`${dir}/tmp.txt`, 'w+')
      await h.write('scratch\n')
      await d.unlink(`${dir}/tmp.txt`)
      t.equal(await errorCode(d.stat(`${dir}/tmp.txt`)), 'ENOENT', 'the name is gone at once')
      t.same(await d.readdir(dir), [], 'from the listing too', { todo })
      await h.write('more\n')
      t.equal((await h.read(8, 0)).toString(), 'scratch\n', 'the open descriptor still reads')
      await h.close()
      // The kernel sends release after close(2) returned: the upload queue
      // knows when it was handled.
      await d.drain()
      t.same(await d.readdir(dir), [], 'and nothing comes back at close', { todo })
      return {}
    },
  },
  {
    name: 'unlink',
    async run(t, d, dir) {
      await put(d, `${dir}/server.txt`, 'server\n')
      await put(d, `${dir}/keep.txt`, 'keep\n')
      await d.drain()
      await put(d, `${dir}/staged.txt`, 'staged\n')
      await d.unlink(`${dir}/server.txt`)
      await d.unlink(`${dir}/staged.txt`)
      t.same(await d.readdir(dir), ['keep.txt'])
      t.equal(await errorCode(d.stat(`${dir}/server.txt`)), 'ENOENT')
      t.equal(await errorCode(d.readFile(`${dir}/staged.txt`)), 'ENOENT')
      t.equal(await errorCode(d.unlink(`${dir}/server.txt`)), 'ENOENT', 'twice')
      await d.mkdir(`${dir}/folder`)
      t.equal(await errorCode(d.unlink(`${dir}/folder`)), 'EISDIR', 'a folder')
      return { 'keep.txt': 'keep\n', folder: 'dir' }
    },
  },
  {
    name: 'mkdir',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/new`)
      const s = await d.stat(`${dir}/new`)
      t.same({ isDir: s.isDir, mode: s.mode & 0o777 }, { isDir: true, mode: 0o755 })
      t.same(await d.readdir(`${dir}/new`), [])
      await d.mkdir(`${dir}/new/deeper`)
      await put(d, `${dir}/new/deeper/f.txt`, 'f\n')
      t.equal(await errorCode(d.mkdir(`${dir}/new`)), 'EEXIST', 'twice')
      t.equal(await errorCode(d.mkdir(`${dir}/new/deeper/f.txt`)), 'EEXIST', 'over a staged file')
      t.equal(await errorCode(d.mkdir(`${dir}/missing/x`)), 'ENOENT', 'in a missing folder')
      return { new: 'dir', 'new/deeper': 'dir', 'new/deeper/f.txt': 'f\n' }
    },
  },
  {
    name: 'rmdir of an empty folder',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/e`)
      await d.mkdir(`${dir}/was full`)
      await put(d, `${dir}/was full/f.txt`, 'f\n')
      await d.drain()
      await d.rmdir(`${dir}/e`)
      await d.unlink(`${dir}/was full/f.txt`)
      await d.rmdir(`${dir}/was full`)
      t.same(await d.readdir(dir), [])
      t.equal(await errorCode(d.stat(`${dir}/e`)), 'ENOENT')
      t.equal(await errorCode(d.rmdir(`${dir}/e`)), 'ENOENT', 'twice')
      await put(d, `${dir}/file.txt`, 'x')
      t.equal(await errorCode(d.rmdir(`${dir}/file.txt`)), 'ENOTDIR', 'a file')
      return { 'file.txt': 'x' }
    },
  },
  {
    name: 'rmdir of a full folder is ENOTEMPTY',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/full`)
      await put(d, `${dir}/full/f.txt`, 'f\n')
      t.equal(await errorCode(d.rmdir(`${dir}/full`)), 'ENOTEMPTY', 'full of a staged file')
      await d.drain()
      t.equal(await errorCode(d.rmdir(`${dir}/full`)), 'ENOTEMPTY', 'full of a file on the server')
      await d.mkdir(`${dir}/nested`)
      await d.mkdir(`${dir}/nested/inner`)
      t.equal(await errorCode(d.rmdir(`${dir}/nested`)), 'ENOTEMPTY', 'full of a folder')
      t.equal(await text(d, `${dir}/full/f.txt`), 'f\n', 'nothing removed')
      return { full: 'dir', 'full/f.txt': 'f\n', nested: 'dir', 'nested/inner': 'dir' }
    },
  },
  {
    name: 'remove a tree, as rm -r does',
    async run(t, d, dir) {
      await d.mkdir(`${dir}/tree`)
      await d.mkdir(`${dir}/tree/a`)
      await d.mkdir(`${dir}/tree/a/b`)
      for (const i of [1, 2, 3]) await put(d, `${dir}/tree/a/b/${i}.txt`, `${i}\n`)
      await d.drain()
      for (const i of [1, 2, 3]) await put(d, `${dir}/tree/${i}.txt`, `${i}\n`)
      for (const i of [1, 2, 3]) await d.unlink(`${dir}/tree/a/b/${i}.txt`)
      await d.rmdir(`${dir}/tree/a/b`)
      await d.rmdir(`${dir}/tree/a`)
      for (const i of [1, 2, 3]) await d.unlink(`${dir}/tree/${i}.txt`)
      await d.rmdir(`${dir}/tree`)
      t.same(await d.readdir(dir), [])
      return {}
    },
  },
  {
    name: 'utimens',
    async run(t, d, dir) {
      const when = Date.UTC(2020, 0, 2, 3, 4, 5)
      const h = await d.open(`${dir}/open.txt`, 'w')
      await h.write('held open, so not uploaded yet\n')
      await d.utimes(`${dir}/open.txt`, when)
      t.equal((await d.stat(`${dir}/open.txt`)).mtimeMs, when, 'a staged file shows the time set')
      await h.close()
      await put(d, `${dir}/server.txt`, 's\n')
      await d.drain()
      t.equal(await errorCode(d.utimes(`${dir}/server.txt`, when)), 'ok', 'a file on the server (MEGA keeps its own time: docs/writes.md)')
      t.equal(await errorCode(d.utimes(dir, when)), 'ok', 'a folder')
      t.equal(await errorCode(d.utimes(`${dir}/missing.txt`, when)), 'ENOENT')
      return { 'open.txt': 'held open, so not uploaded yet\n', 'server.txt': 's\n' }
    },
  },
  {
    name: 'chmod',
    async run(t, d, dir) {
      await put(d, `${dir}/f.txt`, 'f\n')
      t.equal(await errorCode(d.chmod(`${dir}/f.txt`, 0o600)), 'ok', 'succeeds (and changes nothing: docs/writes.md)')
      t.equal(await errorCode(d.chmod(`${dir}/missing.txt`, 0o600)), 'ENOENT')
      return { 'f.txt': 'f\n' }
    },
  },
  {
    name: 'editor save - temp file, fsync, rename over',
    async run(t, d, dir) {
      await put(d, `${dir}/doc.txt`, 'version 1\n')
      await d.drain()
      const h = await d.open(`${dir}/.doc.txt.swp`, 'wx')
      await h.write('version 2\n')
      await h.fsync()
      await h.close()
      await d.rename(`${dir}/.doc.txt.swp`, `${dir}/doc.txt`)
      t.equal(await text(d, `${dir}/doc.txt`), 'version 2\n')
      t.same(await d.readdir(dir), ['doc.txt'])
      return { 'doc.txt': 'version 2\n' }
    },
  },
  {
    name: 'editor save - backup, write anew, drop the backup',
    async run(t, d, dir) {
      await put(d, `${dir}/doc.txt`, 'version 1\n')
      await d.drain()
      await d.rename(`${dir}/doc.txt`, `${dir}/doc.txt~`)
      const h = await d.open(`${dir}/doc.txt`, 'wx')
      await h.write('version 2, longer\n')
      await h.fsync()
      await h.close()
      t.equal(await text(d, `${dir}/doc.txt~`), 'version 1\n', 'the backup until it is dropped')
      await d.unlink(`${dir}/doc.txt~`)
      t.equal(await text(d, `${dir}/doc.txt`), 'version 2, longer\n')
      t.same(await d.readdir(dir), ['doc.txt'])
      return { 'doc.txt': 'version 2, longer\n' }
    },
  },
  {
    name: 'editor save - truncate and rewrite',
    async run(t, d, dir) {
      await put(d, `${dir}/doc.txt`, 'a first version that is long\n')
      await d.drain()
      const h = await d.open(`${dir}/doc.txt`, 'w')
      t.equal((await d.stat(`${dir}/doc.txt`)).size, 0, 'empty once opened with O_TRUNC')
      await h.write('short\n')
      await h.close()
      t.equal(await text(d, `${dir}/doc.txt`), 'short\n')
      return { 'doc.txt': 'short\n' }
    },
  },
  {
    name: 'names that break URL and XML handling, written',
    async run(t, d, dir) {
      const names = Object.keys(FIXTURE_FILES)
        .filter(p => p.lastIndexOf('/') === 0 && p !== '/big.bin')
        .map(p => p.slice(1))
      const expected: Expected = {}
      for (const name of names) await put(d, `${dir}/${name}`, `${name}\n`)
      await d.mkdir(`${dir}/a&b #1 ?x`)
      await d.drain()
      await d.rename(`${dir}/hash#tag.txt`, `${dir}/a&b #1 ?x/100% "done".txt`)
      for (const name of names) if (name !== 'hash#tag.txt') expected[name] = `${name}\n`
      expected['a&b #1 ?x'] = 'dir'
      expected['a&b #1 ?x/100% "done".txt'] = 'hash#tag.txt\n'
      t.same((await d.readdir(dir)).sort(), Object.keys(expected).filter(n => !n.includes('/')).sort())
      for (const [name, content] of Object.entries(expected)) if (content !== 'dir') t.equal(await text(d, `${dir}/${name}`), content, name)
      return expected
    },
  },
  {
    name: 'a big file written in pieces and read back',
    async run(t, d, dir) {
      const big = patternBuffer(4 * 1024 * 1024 + 17, 21)
      const h = await d.open(`${dir}/big.bin`, 'w')
      for (let at = 0; at < big.length; at += 128 * 1024) await h.write(big.subarray(at, at + 128 * 1024))
      await h.close()
      t.equal((await d.stat(`${dir}/big.bin`)).size, big.length)
      t.ok((await d.readRange(`${dir}/big.bin`, 3_000_001, 1000)).equals(big.subarray(3_000_001, 3_001_001)), 'a range of the staged copy')
      await d.drain()
      t.equal(sha256(await d.readFile(`${dir}/big.bin`)), sha256(big), 'read back from the server')
      return { 'big.bin': big }
    },
  },
]

export async function runWriteCases(t: Test, d: FsDriver): Promise<void> {
  const expected: Record<string, string> = {}
  t.test(`set up ${CASES_FOLDER}`, async t => {
    await d.mkdir(CASES_FOLDER)
    t.same(await d.readdir(CASES_FOLDER), [])
    expected[CASES_FOLDER.slice(1)] = 'dir'
  })
  for (const c of CASES) {
    t.test(c.name, async t => {
      const dir = `${CASES_FOLDER}/${c.name}`
      await d.mkdir(dir)
      const rel = dir.slice(1)
      expected[rel] = 'dir'
      for (const [name, content] of Object.entries(await c.run(t, d, dir))) expected[`${rel}/${name}`] = content === 'dir' ? 'dir' : sha256(Buffer.from(content))
    })
  }
  t.test('once the queue drains, the server holds exactly the expected tree, and the mount shows it', async t => {
    await d.drain()
    const want = sortedTree({ ...fixtureTree(), ...expected })
    t.same(sortedTree(await d.serverTree!()), want, 'the server')
    t.same(sortedTree(await mountTree(d)), want, 'the mount')
  })
}

/** The tree as the driver shows it, in serverTree()'s form. */
async function mountTree(d: FsDriver, folder = '/', out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const name of await d.readdir(folder)) {
    const path = folder === '/' ? `/${name}` : `${folder}/${name}`
    if ((await d.stat(path)).isDir) {
      out[path.slice(1)] = 'dir'
      await mountTree(d, path, out)
    } else {
      out[path.slice(1)] = sha256(await d.readFile(path))
    }
  }
  return out
}
