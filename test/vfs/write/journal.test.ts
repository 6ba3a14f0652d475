import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { Journal, JOURNAL_FILE_NAME } from '../../../src/vfs/write/journal.js'
import { ManualTime } from '../../helpers/manual-time.js'

const entry = (id: string, p: string) => ({ id, path: p, size: 3, state: 'dirty' as const, attempts: 0, error: null })

t.test('entries survive a reopen without close (crash), finished ones do not', async t => {
  const dir = t.testdir()
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  const a = await Journal.open(dir, { clock: time })
  await a.put(entry('1', '/a.txt'))
  await a.put(entry('2', '/b.txt'))
  await a.update('1', { state: 'queued', size: 10 })
  await a.update('2', { state: 'failed', attempts: 1, error: { kind: 'no-space', status: 507, message: 'over quota' } })
  await a.put(entry('3', '/c.txt'))
  await a.finish('3', 'uploaded')
  // no close: the process "dies" here
  const b = await Journal.open(dir, { clock: time })
  t.same(
    b.entries().map(e => [e.id, e.path, e.state, e.size, e.attempts, e.error]).sort(),
    [
      ['1', '/a.txt', 'queued', 10, 0, null],
      ['2', '/b.txt', 'failed', 3, 1, { kind: 'no-space', status: 507, message: 'over quota' }],
    ],
  )
  await a.close()
  await b.close()
})

t.test('a journal of the previous version (the failure as text only) loads, with the kind derived once', async t => {
  const dir = t.testdir()
  // Records as the version before failure kinds wrote them.
  const old = [
    { op: 'failed', id: 'f', path: '/big.iso', size: 9, attempts: 1, lastError: 'no-space (507): over quota', timeMs: 1 },
    { op: 'queued', id: 'q', path: '/later.txt', size: 3, attempts: 0, lastError: 'bridge-down: connect ECONNREFUSED 127.0.0.1:4443', timeMs: 2 },
    { op: 'failed', id: 'c', path: '/cut.bin', size: 6, attempts: 0, lastError: 'incomplete: 40 bytes could not be written', lost: [[0, 40]], timeMs: 3 },
    { op: 'failed', id: 'l', path: '/local.bin', size: 1, attempts: 5, lastError: 'EIO: i/o error, read', timeMs: 4 },
    { op: 'queued', id: 'n', path: '/fine.txt', size: 1, attempts: 0, lastError: null, timeMs: 5 },
  ]
  await fsp.writeFile(path.join(dir, JOURNAL_FILE_NAME), old.map(r => JSON.stringify(r) + '\n').join(''))
  const j = await Journal.open(dir)
  const byId = new Map(j.entries().map(e => [e.id, e]))
  t.same(byId.get('f')?.error, { kind: 'no-space', status: 507, message: 'over quota' })
  t.same(byId.get('q')?.error, { kind: 'bridge-down', message: 'connect ECONNREFUSED 127.0.0.1:4443' })
  t.same(byId.get('c')?.error, { kind: 'incomplete', message: '40 bytes could not be written' })
  t.same(byId.get('l')?.error, { kind: 'local', message: 'EIO: i/o error, read' })
  t.equal(byId.get('n')?.error, null)
  t.same([...byId.values()].map(e => [e.id, e.state]), [['f', 'failed'], ['q', 'queued'], ['c', 'failed'], ['l', 'failed'], ['n', 'queued']], 'every pending upload survives')
  await j.close()
  // Opening compacted it into this version's records: the kind is data now.
  const lines = (await fsp.readFile(path.join(dir, JOURNAL_FILE_NAME), 'utf8')).trim().split('\n').map(l => JSON.parse(l))
  t.same(lines[0].error, { kind: 'no-space', status: 507, message: 'over quota' })
  t.notOk('lastError' in lines[0], 'no text to parse again')
  const again = await Journal.open(dir)
  t.same(again.get('f')?.error, { kind: 'no-space', status: 507, message: 'over quota' })
  await again.close()
})

t.test('a torn last line is skipped and compacted away', async t => {
  const dir = t.testdir()
  const a = await Journal.open(dir)
  await a.put(entry('1', '/a.txt'))
  await a.close()
  const file = path.join(dir, JOURNAL_FILE_NAME)
  await fsp.appendFile(file, '{"op":"queued","id":"1","pa')
  const b = await Journal.open(dir)
  t.equal(b.get('1')?.state, 'dirty')
  await b.put(entry('2', '/b.txt'))
  await b.close()
  const lines = (await fsp.readFile(file, 'utf8')).trim().split('\n')
  t.equal(lines.length, 2, 'only whole records remain')
  for (const line of lines) t.doesNotThrow(() => JSON.parse(line))
})

t.test('update and finish of an unknown id change nothing', async t => {
  const dir = t.testdir()
  const j = await Journal.open(dir)
  await j.update('nope', { state: 'queued' })
  await j.finish('nope', 'discarded')
  t.same(j.entries(), [])
  await j.close()
  await t.rejects(j.put(entry('1', '/x')), /closed/)
})

t.test('the file is compacted when finished records pile up', async t => {
  const dir = t.testdir()
  const j = await Journal.open(dir, { compactAfterRecords: 5 })
  for (let i = 0; i < 20; i++) {
    await j.put(entry(String(i), `/f${i}`))
    await j.finish(String(i), 'uploaded')
  }
  await j.put(entry('keep', '/keep'))
  await j.close()
  const lines = (await fsp.readFile(path.join(dir, JOURNAL_FILE_NAME), 'utf8')).trim().split('\n')
  t.ok(lines.length <= 7, `file holds ${lines.length} lines`)
  const again = await Journal.open(dir)
  t.same(again.entries().map(e => e.id), ['keep'])
  await again.close()
})

/** Counts fdatasyncs of every file handle, and can hold them until released. */
async function watchDatasync(t: Test) {
  const proto = Object.getPrototypeOf(await fsp.open(process.execPath, 'r').then(async h => (await h.close(), h))) as { datasync: () => Promise<void> }
  const original = proto.datasync
  let count = 0
  let gate: Promise<void> | null = null
  proto.datasync = async function (this: unknown) {
    count++
    if (gate) await gate
    return original.call(this)
  }
  t.teardown(() => {
    proto.datasync = original
  })
  return {
    count: () => count,
    hold(): () => void {
      let open!: () => void
      gate = new Promise(r => (open = r))
      return () => {
        gate = null
        open()
      }
    },
  }
}
t.test('sync() alone resolves: a loop that finished without waiting does not stay "running"', async t => {
  const j = await Journal.open(t.testdir())
  await j.sync()
  await j.sync()
  await j.put(entry('1', '/a'))
  await j.close()
  t.pass()
})

t.test('durable records made together share fdatasyncs (group commit), in order in the file', async t => {
  const dir = t.testdir()
  const j = await Journal.open(dir)
  const syncs = await watchDatasync(t)
  await Promise.all(Array.from({ length: 200 }, (_, i) => j.put(entry(String(i), `/f${i}`))))
  t.ok(syncs.count() < 20, `200 durable records, ${syncs.count()} fdatasyncs`)
  const ids = (await fsp.readFile(path.join(dir, JOURNAL_FILE_NAME), 'utf8')).trim().split('\n').map(l => JSON.parse(l).id)
  t.same(ids, Array.from({ length: 200 }, (_, i) => String(i)))
  await j.close()
})

t.test('a record that need not be durable does not wait for the disk; sync() does', async t => {
  const dir = t.testdir()
  const j = await Journal.open(dir)
  const syncs = await watchDatasync(t)
  const release = syncs.hold()
  const durable = j.put(entry('1', '/a'))
  let durableDone = false
  void durable.then(() => (durableDone = true))
  await j.put(entry('2', '/b'), { durable: false })
  t.notOk(durableDone, 'the durable one still waits for its fdatasync')
  const text = await fsp.readFile(path.join(dir, JOURNAL_FILE_NAME), 'utf8')
  t.match(text, /"id":"2"/, 'the other is in the file already (a killed daemon finds it)')
  const synced = j.sync()
  let syncDone = false
  void synced.then(() => (syncDone = true))
  await new Promise(r => setTimeout(r, 20)) // real-world wait: the journal's writes go through the thread pool; a wrong sync() would resolve within it
  t.notOk(syncDone, 'sync() waits for the disk')
  release()
  await durable
  await synced
  await j.close()
})

t.test('the journal is 0600 whatever the umask, also after compaction', async t => {
  const old = process.umask(0)
  t.teardown(() => void process.umask(old))
  const dir = t.testdir()
  const file = path.join(dir, JOURNAL_FILE_NAME)
  await fsp.writeFile(file, '', { mode: 0o644 }) // left by an older version
  const j = await Journal.open(dir, { compactAfterRecords: 1 })
  for (let i = 0; i < 4; i++) await j.put(entry(String(i), `/${i}`))
  await j.close()
  t.equal((await fsp.stat(file)).mode & 0o777, 0o600)
})
