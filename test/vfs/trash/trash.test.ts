import t from 'tap'
import { TRASH_ROOT, Trash, isInTrash, trashDate, withSuffix } from '../../../src/vfs/trash/trash.js'
import { WritableFakeRemote } from '../write/write-fakes.js'
import { ManualTime } from '../../helpers/manual-time.js'

const DAY = 24 * 60 * 60 * 1000

t.test('names and dates', async t => {
  t.ok(isInTrash('/.megamount-trash'))
  t.ok(isInTrash('/.megamount-trash/2024-01-01/a'))
  t.notOk(isInTrash('/.megamount-trash-not'))
  t.notOk(isInTrash('/a/.megamount-trash'))
  t.equal(trashDate(Date.UTC(2024, 1, 29, 23, 59)), '2024-02-29')
  t.equal(withSuffix('a.txt', 2, false), 'a (2).txt')
  t.equal(withSuffix('archive.tar.gz', 3, false), 'archive.tar (3).gz')
  t.equal(withSuffix('.bashrc', 2, false), '.bashrc (2)')
  t.equal(withSuffix('noext', 2, false), 'noext (2)')
  t.equal(withSuffix('photos.2024', 2, true), 'photos.2024 (2)')
})

t.test('delete in trash mode moves into the dated folder, keeping the path', async t => {
  const remote = new WritableFakeRemote().addFile('/Photos/2023/a.jpg', 'A').addFolder('/Photos/old')
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  const trash = new Trash(remote, { clock: time })
  t.equal(await trash.remove('/Photos/2023/a.jpg', { deleteMode: 'trash', isDir: false }), `${TRASH_ROOT}/2024-03-31/Photos/2023/a.jpg`)
  t.equal(remote.content(`${TRASH_ROOT}/2024-03-31/Photos/2023/a.jpg`), 'A')
  t.notOk(remote.nodes.has('/Photos/2023/a.jpg'))
  t.same(remote.callsOf('mkdir').map(c => c.path), [TRASH_ROOT, `${TRASH_ROOT}/2024-03-31`, `${TRASH_ROOT}/2024-03-31/Photos`, `${TRASH_ROOT}/2024-03-31/Photos/2023`])
  t.same(remote.callsOf('move').at(-1), { method: 'move', path: '/Photos/2023/a.jpg', to: `${TRASH_ROOT}/2024-03-31/Photos/2023/a.jpg` })
  // same name again that day: a suffix
  remote.addFile('/Photos/2023/a.jpg', 'A2')
  t.equal(await trash.remove('/Photos/2023/a.jpg', { deleteMode: 'trash', isDir: false }), `${TRASH_ROOT}/2024-03-31/Photos/2023/a (2).jpg`)
  remote.addFile('/Photos/2023/a.jpg', 'A3')
  t.equal(await trash.moveToTrash('/Photos/2023/a.jpg', false), `${TRASH_ROOT}/2024-03-31/Photos/2023/a (3).jpg`)
  t.equal(remote.content(`${TRASH_ROOT}/2024-03-31/Photos/2023/a.jpg`), 'A', 'nothing overwritten')
  // folders too
  t.equal(await trash.remove('/Photos/old', { deleteMode: 'trash', isDir: true }), `${TRASH_ROOT}/2024-03-31/Photos/old`)
  t.equal(remote.callsOf('delete').length, 0, 'never a DELETE in trash mode')
})

t.test('permanent mode, entries inside the trash, and the trash itself', async t => {
  const remote = new WritableFakeRemote().addFile('/a', 'A').addFile(`${TRASH_ROOT}/2024-03-01/b`, 'B')
  const trash = new Trash(remote)
  t.equal(await trash.remove('/a', { deleteMode: 'permanent', isDir: false }), null)
  t.notOk(remote.nodes.has('/a'))
  t.equal(await trash.remove(`${TRASH_ROOT}/2024-03-01/b`, { deleteMode: 'trash', isDir: false }), null, 'emptying the trash deletes for good')
  t.equal(remote.callsOf('delete').length, 2)
  t.equal(remote.callsOf('move').length, 0)
  t.match(await trash.moveToTrash(TRASH_ROOT, true).catch((e: unknown) => e), { kind: 'forbidden' })
  t.match(await trash.moveToTrash('/', true).catch((e: unknown) => e), { kind: 'forbidden' })
})

t.test('errors other than a taken name are passed on', async t => {
  const remote = new WritableFakeRemote().addFile('/a', 'A')
  const trash = new Trash(remote)
  remote.failNext('move', 'bridge-down')
  t.match(await trash.moveToTrash('/a', false).catch((e: unknown) => e), { kind: 'bridge-down' })
  t.ok(remote.nodes.has('/a'), 'nothing lost')
})

t.test('purge deletes dated folders older than the retention', async t => {
  const remote = new WritableFakeRemote()
  for (const day of ['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-31']) remote.addFile(`${TRASH_ROOT}/${day}/f`, day)
  remote.addFolder(`${TRASH_ROOT}/not-a-date`)
  remote.addFile(`${TRASH_ROOT}/1999-01-01`, 'a file with a date name')
  const now = Date.UTC(2024, 2, 31, 3, 17)
  const trash = new Trash(remote, { clock: new ManualTime(now) })
  t.same(await trash.purge({ retentionDays: 30 }), [`${TRASH_ROOT}/2024-02-28`, `${TRASH_ROOT}/2024-02-29`])
  t.ok(remote.nodes.has(`${TRASH_ROOT}/2024-03-01/f`), '30 days ago is kept')
  t.ok(remote.nodes.has(`${TRASH_ROOT}/not-a-date`))
  t.ok(remote.nodes.has(`${TRASH_ROOT}/1999-01-01`))
  t.same(await trash.purge({ retentionDays: 0, nowMs: now + DAY }), [`${TRASH_ROOT}/2024-03-01`, `${TRASH_ROOT}/2024-03-31`])
  await t.rejects(trash.purge({ retentionDays: -1 }), /trashRetentionDays/)
  const empty = new Trash(new WritableFakeRemote())
  t.same(await empty.purge({ retentionDays: 30 }), [], 'no trash folder yet')
  const down = new WritableFakeRemote()
  down.failNext('list', 'bridge-down')
  t.match(await new Trash(down).purge({ retentionDays: 1 }).catch((e: unknown) => e), { kind: 'bridge-down' })
})
