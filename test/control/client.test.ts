import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { DaemonNotRunningError, sendRequest } from '../../src/control/client.js'

t.test('no socket means the daemon is not running', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmk-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const err = await sendRequest(path.join(dir, 'none.sock'), 'status').catch(e => e)
  t.ok(err instanceof DaemonNotRunningError)
  t.match(err.message, /megamountd is not running/)
})

t.test('a silent daemon times out; a closed connection is an error', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmk-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const silent = net.createServer(() => {})
  await new Promise<void>(r => silent.listen(path.join(dir, 's.sock'), r))
  t.teardown(() => silent.close())
  await t.rejects(sendRequest(path.join(dir, 's.sock'), 'status', {}, { timeoutMs: 100 }), { message: /did not answer "status"/ })
  const rude = net.createServer(c => c.end())
  await new Promise<void>(r => rude.listen(path.join(dir, 'r.sock'), r))
  t.teardown(() => rude.close())
  await t.rejects(sendRequest(path.join(dir, 'r.sock'), 'status'), { message: /closed the connection/ })
})
