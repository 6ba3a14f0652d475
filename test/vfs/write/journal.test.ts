import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { Journal, JOURNAL_FILE_NAME } from '../../../src/vfs/write/journal.js'
import { ManualTime } from '../../helpers/manual-time.js'

const entry = (id: string, p: string) => ({ id, path: p, size: 3, state: 'dirty' as const, attempts: 0, lastError: null })

t.test('entries survive a reopen without close (crash), finished ones do not', async t => {
  const dir = t.testdir()
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  const a = await Journal.open(dir, { clock: time })
  await a.put(entry('1', '/a.txt'))
  await a.put(entry('2', '/b.txt'))
  await a.update('1', { state: 'queued', size: 10 })
  await a.update('2', { state: 'failed', attempts: 1, lastError: 'no-space (507)' })
  await a.put(entry('3', '/c.txt'))
  await a.finish('3', 'uploaded')
  // no close: the process "dies" here
  const b = await Journal.open(dir, { clock: time })
  t.same(
    b.entries().map(e => [e.id, e.path, e.state, e.size, e.attempts, e.lastError]).sort(),
    [
      ['1', '/a.txt', 'queued', 10, 0, null],
      ['2', '/b.txt', 'failed', 3, 1, 'no-space (507)'],
    ],
  )
  await a.close()
  await b.close()
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
