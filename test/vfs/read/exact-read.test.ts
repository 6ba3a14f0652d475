import t from 'tap'
import { RemoteError } from '../../../src/remote/remote.js'
import { readExactly } from '../../../src/vfs/read/exact-read.js'
import { FakeRemote } from '../../helpers/fake-remote.js'

const setup = () => new FakeRemote().addFile('/f', '0123456789')

t.test('exactly the listed bytes, fewer only where the listing says the file ends', async t => {
  const remote = setup()
  t.equal((await readExactly(remote, '/f', 2, 3, 10)).toString(), '234')
  t.equal((await readExactly(remote, '/f', 8, 100, 10)).toString(), '89')
  t.equal((await readExactly(remote, '/f', 10, 5, 10)).length, 0, 'nothing asked past the end')
  t.equal(remote.calls.read, 2)
  t.same(remote.reads.at(-1), { path: '/f', offset: 8, length: 2 }, 'never asks past the listed end')
})

t.test('a short answer is asked for once more, then fails with bad-reply', async t => {
  const remote = setup()
  remote.readAnswer = bytes => bytes.subarray(0, bytes.length / 2)
  await t.rejects(readExactly(remote, '/f', 0, 10, 10), { name: 'RemoteError', kind: 'bad-reply', message: /sent 5 bytes where the listing says the file has 10/ })
  t.equal(remote.calls.read, 2, 'retried once')
  let calls = 0
  remote.readAnswer = bytes => (++calls === 1 ? bytes.subarray(1) : bytes)
  t.equal((await readExactly(remote, '/f', 0, 10, 10)).toString(), '0123456789', 'the retry succeeds')
  t.equal((await readExactly(remote, '/f', 0, 4, 10)).toString(), '0123')
})

t.test('a file shorter than its listing fails, the same way', async t => {
  const remote = setup()
  await t.rejects(readExactly(remote, '/f', 4, 20, 30), { kind: 'bad-reply', message: /file changed on the server/ })
  t.equal(remote.calls.read, 2)
})

t.test('answers the remote refused are retried once; other failures are not', async t => {
  const remote = setup()
  remote.failWith('read', 'bad-reply')
  await t.rejects(readExactly(remote, '/f', 0, 10, 10), { name: 'RemoteError', kind: 'bad-reply' })
  t.equal(remote.calls.read, 2)
  remote.failWith('read', 'bridge-down')
  await t.rejects(readExactly(remote, '/f', 0, 10, 10), { name: 'RemoteError', kind: 'bridge-down' })
  t.equal(remote.calls.read, 3, 'a transport failure is the caller\'s to handle')
  remote.failWith('read', null)
  remote.hang('read')
  const aborted = new AbortController()
  const reading = readExactly(remote, '/f', 0, 10, 10, { signal: aborted.signal })
  aborted.abort(new RemoteError('bad-reply', 'given up'))
  await t.rejects(reading, { message: 'given up' })
  t.equal(remote.calls.read, 4, 'an abort is not retried')
})
