import t from 'tap'
import { RequestTimeoutError, remoteErrorFromFailure, remoteErrorFromStatus } from '../../src/remote/errors.js'
import { RemoteError } from '../../src/remote/remote.js'

const req = { method: 'PROPFIND', path: '/a b', host: '127.0.0.1:4443' }

t.test('socket failures', async t => {
  const refused = remoteErrorFromFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), req)
  t.equal(refused.kind, 'bridge-down')
  t.match(refused.message, /bridge at 127\.0\.0\.1:4443 refused the connection: is MEGAcmd running\? start it with mega-cmd-server or run mega-webdav/)
  t.ok(refused.transient)
  for (const code of ['ECONNRESET', 'EHOSTUNREACH', 'EPIPE']) {
    t.equal(remoteErrorFromFailure(Object.assign(new Error(code), { code }), req).kind, 'bridge-down', code)
  }
  t.equal(remoteErrorFromFailure(new Error('socket hang up'), req).kind, 'bridge-down')
  const timeout = remoteErrorFromFailure(new RequestTimeoutError(15000, 'idle'), req)
  t.equal(timeout.kind, 'timeout')
  t.match(timeout.message, /no progress for 15000 ms/)
  t.match(remoteErrorFromFailure(new RequestTimeoutError(99000, 'answer'), req).message, /did not confirm the upload within 99000 ms/)
  t.equal(remoteErrorFromFailure(new Error('weird'), req).kind, 'other')
  const same = new RemoteError('bad-reply', 'x')
  t.equal(remoteErrorFromFailure(same, req), same)
})

t.test('statuses', async t => {
  const kind = (status: number, method = 'GET', rootMissing = false) =>
    remoteErrorFromStatus(status, { ...req, method }, { rootMissing }).kind
  t.equal(kind(404), 'not-found')
  t.equal(kind(404, 'GET', true), 'root-missing')
  t.match(remoteErrorFromStatus(404, req, { rootMissing: true }).message, /logged out.*mega-webdav/)
  t.equal(kind(403), 'forbidden')
  t.equal(kind(409), 'conflict')
  t.equal(kind(405, 'MKCOL'), 'exists')
  t.equal(kind(405, 'DELETE'), 'other')
  t.equal(kind(412, 'MOVE'), 'exists')
  t.equal(kind(503), 'busy')
  t.equal(kind(507, 'PUT'), 'no-space')
  const other = remoteErrorFromStatus(500, req)
  t.equal(other.kind, 'other')
  t.equal(other.status, 500)
  t.match(other.message, /answered 500/)
  t.equal(kind(418), 'other')
})
