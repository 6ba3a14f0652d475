import t from 'tap'
import { localMinute, unfinishedName, unfinishedPath } from '../../../src/vfs/write/unfinished.js'

const at = new Date(2026, 10, 29, 14, 3, 59).getTime() // local time, whatever TZ says

t.test('the conflict name keeps the extension and says when, in local time', async t => {
  t.equal(localMinute(at), '2026-11-29 14.03')
  t.equal(unfinishedName('report.pdf', at), 'report (unfinished 2026-11-29 14.03).pdf')
  t.equal(unfinishedName('notes', at), 'notes (unfinished 2026-11-29 14.03)')
  t.equal(unfinishedName('.bashrc', at), '.bashrc (unfinished 2026-11-29 14.03)', 'a leading dot is not an extension')
  t.equal(unfinishedName('backup.tar.gz', at), 'backup.tar (unfinished 2026-11-29 14.03).gz')
  t.equal(unfinishedName('x.averyveryverylongextension', at), 'x.averyveryverylongextension (unfinished 2026-11-29 14.03)')
  t.equal(unfinishedName('report.pdf', at, 2), 'report (unfinished 2026-11-29 14.03 2).pdf')
  t.notMatch(unfinishedName('a.txt', at), /:/, 'no colon: the bridge cannot serve one')
})

t.test('a long name is shortened to fit 255 bytes, by whole characters', async t => {
  const long = 'é'.repeat(125) + '.txt' // 254 bytes
  const name = unfinishedName(long, at)
  t.ok(Buffer.byteLength(name) <= 255, `${Buffer.byteLength(name)} bytes`)
  t.match(name, /^é+ \(unfinished 2026-11-29 14\.03\)\.txt$/)
})

t.test('a name already taken gets a counter', async t => {
  const taken = new Set(['/d/report (unfinished 2026-11-29 14.03).pdf'])
  t.equal(unfinishedPath('/d/report.pdf', at, p => taken.has(p)), '/d/report (unfinished 2026-11-29 14.03 2).pdf')
  t.equal(unfinishedPath('/top.pdf', at, () => false), '/top (unfinished 2026-11-29 14.03).pdf')
})
