import t from 'tap'
import { InodeTable, ROOT_INO } from '../../../src/fuse/libfuse3/inode-table.js'

t.test('a node lives while the kernel holds lookups of it', async t => {
  const table = new InodeTable()
  const a = table.ensure(table.root, 'a')
  t.equal(table.ensure(table.root, 'a'), a, 'the same name is the same node')
  t.not(a.ino, ROOT_INO)
  table.counted(a)
  table.counted(a)
  table.forget(a.ino, 1)
  t.equal(table.get(a.ino), a, 'one lookup left')
  table.forget(a.ino, 1)
  t.equal(table.get(a.ino), undefined, 'forgotten')
  const again = table.ensure(table.root, 'a')
  t.not(again.ino, a.ino, 'inode numbers are never reused')
  table.forget(ROOT_INO, 5)
  t.equal(table.get(ROOT_INO), table.root, 'the root is never forgotten')
})

t.test('paths follow renames of folders, and a node made but never sent goes again', async t => {
  const table = new InodeTable()
  const dir = table.ensure(table.root, 'dir')
  table.counted(dir)
  const file = table.ensure(dir, 'f.txt')
  table.counted(file)
  t.equal(table.pathOf(file), '/dir/f.txt')
  const other = table.ensure(table.root, 'other')
  table.counted(other)
  table.rename(table.root, 'dir', other, 'moved')
  t.equal(table.pathOf(file), '/other/moved/f.txt', 'everything below moves with the folder')
  const unsent = table.ensure(other, 'x')
  table.dropIfUnused(unsent)
  t.equal(table.get(unsent.ino), undefined)
  t.same([...table.subtree(other)].map(n => n.name), ['other', 'moved', 'f.txt'])
})

t.test('a name removed or renamed over is detached but kept while looked up', async t => {
  const table = new InodeTable()
  const a = table.ensure(table.root, 'a')
  table.counted(a)
  const b = table.ensure(table.root, 'b')
  table.counted(b)
  table.rename(table.root, 'a', table.root, 'b')
  t.equal(table.child(table.root, 'b'), a)
  t.equal(table.pathOf(b), null, 'the file renamed over has no path')
  t.equal(table.get(b.ino), b, 'but the kernel may still use it through an open file')
  table.forget(b.ino, 1)
  t.equal(table.get(b.ino), undefined)
  table.detach(table.root, 'b')
  t.equal(table.pathOf(a), null)
  t.equal(table.child(table.root, 'b'), undefined)
})

t.test('a parent kept for an uncounted child goes with it', async t => {
  const table = new InodeTable()
  const dir = table.ensure(table.root, 'dir')
  table.counted(dir)
  const child = table.ensure(dir, 'c')
  table.counted(child)
  table.forget(dir.ino, 1)
  t.equal(table.get(dir.ino), dir, 'kept while a child is known')
  table.forget(child.ino, 1)
  t.equal(table.get(dir.ino), undefined, 'gone with its last child')
  t.equal(table.size, 1, 'only the root')
})

t.test('a node detached while its rename runs still moves to the new name', async t => {
  const table = new InodeTable()
  const one = table.ensure(table.root, 'one.txt')
  table.counted(one)
  // The rename began with this node; a listing taken after the server's
  // MOVE no longer held 'one.txt', so the invalidator detached it.
  table.detach(table.root, 'one.txt')
  t.equal(table.pathOf(one), null)
  table.rename(table.root, 'one.txt', table.root, 'uno.txt', one)
  t.equal(table.pathOf(one), '/uno.txt', 'the kernel knows it as uno.txt: so does the table (seen under load: stat uno.txt was ENOENT)')
  t.equal(table.child(table.root, 'uno.txt'), one)
  t.equal(table.child(table.root, 'one.txt'), undefined)
})

const FILE = 0o100644
const FOLDER = 0o040755

t.test('past the file entry limit the oldest unopened files are shed, and go once forgotten', async t => {
  const table = new InodeTable(10)
  const shed: string[] = []
  table.shed = (parentIno, name) => shed.push(`${parentIno}/${name}`)
  const dir = table.ensure(table.root, 'dir')
  table.counted(dir, FOLDER)
  const files = []
  for (let i = 0; i < 10; i++) {
    const f = table.ensure(dir, `f${i}`)
    table.counted(f, FILE)
    files.push(f)
  }
  t.same(shed, [], 'up to the limit, nothing is shed')
  files[0]!.pageVersion = '5:1000' // opened: its pages stay with its inode
  table.counted(files[1]!, FILE) // a second lookup: still one entry, in its old place
  const sub = table.ensure(dir, 'sub')
  table.counted(sub, FOLDER)
  t.same(shed, [], 'folders do not count')
  const eleventh = table.ensure(dir, 'f10')
  table.counted(eleventh, FILE)
  t.same(shed, [`${dir.ino}/f1`], 'down to 90% of the limit (9), oldest first: the opened file kept, the next one shed')
  t.equal(table.shedCount, 1)
  t.equal(table.get(files[1]!.ino), files[1], 'kept until the kernel forgets it')
  table.forget(files[1]!.ino, 2)
  table.forget(files[2]!.ino, 1)
  t.equal(table.get(files[1]!.ino), undefined, 'gone once forgotten')
  t.equal(table.child(dir, 'f2'), undefined)
  const again = table.ensure(dir, 'f1')
  table.counted(again, FILE)
  t.same(shed, [`${dir.ino}/f1`], 'a name looked up again is a new entry, within the limit')
  table.counted(table.ensure(dir, 'f11'), FILE)
  t.same(shed, [`${dir.ino}/f1`, `${dir.ino}/f3`], 'past it, the next oldest still held goes (f2 was forgotten)')
})

t.test('an entry renamed, removed or forgotten before its turn is not shed', async t => {
  const table = new InodeTable(4)
  const shed: string[] = []
  table.shed = (parentIno, name) => shed.push(`${parentIno}/${name}`)
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(name => {
    const node = table.ensure(table.root, name)
    table.counted(node, FILE)
    return node
  })
  table.rename(table.root, 'a', table.root, 'a2')
  table.detach(table.root, 'b')
  table.forget(c!.ino, 1)
  const e = table.ensure(table.root, 'e')
  table.counted(e, FILE)
  t.same(shed, [`${ROOT_INO}/a2`], 'the renamed one under its new name; the removed and forgotten ones skipped')
  t.ok(d && table.get(d.ino), 'the newer ones stay')
})
