import t from 'tap'
import { RemoteError } from '../../../src/remote/remote.js'
import { failureFromText, failureOf, failureText, incompleteFailure } from '../../../src/vfs/write/upload-failure.js'

t.test('a failure keeps its kind as data, and reads as before', async t => {
  const full = failureOf(new RemoteError('no-space', 'over quota', { status: 507 }))
  t.same(full, { kind: 'no-space', status: 507, message: 'over quota' })
  t.equal(failureText(full), 'no-space (507): over quota')
  t.equal(failureText(failureOf(new RemoteError('timeout', 'no answer'))), 'timeout: no answer')
  t.same(failureOf(new Error('EIO: staged copy unreadable')), { kind: 'local', message: 'EIO: staged copy unreadable' })
  t.equal(failureText(failureOf(new Error('EIO'))), 'EIO', 'an error of this computer: its message alone')
  t.same(failureOf('odd'), { kind: 'local', message: 'odd' })
  const cut = incompleteFailure({ lostBytes: 40 })
  t.equal(cut.kind, 'incomplete')
  t.match(failureText(cut), /^incomplete: 40 bytes could not be written/)
})

t.test('the text an older journal holds gives its kind back once', async t => {
  t.same(failureFromText('no-space (507): over quota'), { kind: 'no-space', status: 507, message: 'over quota' })
  t.same(failureFromText('forbidden (403): no: really'), { kind: 'forbidden', status: 403, message: 'no: really' })
  t.same(failureFromText('bridge-down: connect ECONNREFUSED 127.0.0.1:4443'), { kind: 'bridge-down', message: 'connect ECONNREFUSED 127.0.0.1:4443' })
  t.same(failureFromText('incomplete: 40 bytes could not be written'), { kind: 'incomplete', message: '40 bytes could not be written' })
  t.same(failureFromText('EIO: i/o error, read'), { kind: 'local', message: 'EIO: i/o error, read' }, 'an unknown prefix is a local error')
  t.same(failureFromText('local: x'), { kind: 'local', message: 'local: x' }, 'local errors never had a prefix')
  t.same(failureFromText('EIO'), { kind: 'local', message: 'EIO' })
  for (const text of ['no-space (507): over quota', 'timeout: no answer', 'incomplete: 40 bytes', 'EIO: read']) t.equal(failureText(failureFromText(text)), text, `round trip: ${text}`)
})
