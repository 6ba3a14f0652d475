import t from 'tap'
import { looksLikeHandle, nodeHandle } from '../../src/emulator/node-handle.js'

t.test('handles: 8 URL-safe base64 characters, stable per (dev, inode)', async t => {
  const handle = nodeHandle(2049, 123456)
  t.match(handle, /^[A-Za-z0-9_-]{8}$/)
  t.equal(nodeHandle(2049, 123456), handle)
  t.equal(nodeHandle(2049n, 123456n), handle, 'bigint stats give the same handle')
  t.not(nodeHandle(2049, 123457), handle)
  t.ok(looksLikeHandle('AbC-_123'))
  t.notOk(looksLikeHandle('AbC-_12'))
  t.notOk(looksLikeHandle('AbC-_1234'))
  t.notOk(looksLikeHandle('AbC+/123'))
})
