import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { CommandFailed, DaemonNotRunningError, UnreadableReplyError, callDaemon, sendRequest } from '../../src/control/client.js'

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

t.test('callDaemon checks the reply against the command map: a reply it cannot read is an error that says so', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmk-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, 'o.sock')
  // An old or foreign daemon: answers "retry" with a count under another name.
  const odd = net.createServer(c => c.on('data', d => c.write(`${JSON.stringify({ id: JSON.parse(String(d)).id, ok: true, result: { count: 1 } })}\n`)))
  await new Promise<void>(r => odd.listen(socketPath, r))
  t.teardown(() => odd.close())
  const err = await callDaemon(socketPath, 'retry', { name: 'a' }).catch(e => e)
  t.ok(err instanceof UnreadableReplyError)
  t.match(err.message, /reply to "retry" is not what this mountctl expects \(retried: /)
  t.match(err.hint, /mountctl version/)
})

t.test('callDaemon turns a refusal into CommandFailed with the daemon\'s message and hint', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmk-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  const socketPath = path.join(dir, 'n.sock')
  const no = net.createServer(c => c.on('data', d => c.write(`${JSON.stringify({ id: JSON.parse(String(d)).id, ok: false, error: { message: 'no', hint: 'do this' } })}\n`)))
  await new Promise<void>(r => no.listen(socketPath, r))
  t.teardown(() => no.close())
  const err = await callDaemon(socketPath, 'mount', { name: 'a' }).catch(e => e)
  t.ok(err instanceof CommandFailed)
  t.same(err.body, { message: 'no', hint: 'do this' })
})
