// Idle control connections cannot use up the daemon's file limit: at most
// maxConnections at once (one more is told so and closed), and a connection
// with no request running is closed after idleTimeoutMs.
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { sendRequest } from '../../src/control/client.js'
import type { ControlHandlers } from '../../src/control/commands.js'
import { ControlServer } from '../../src/control/server.js'
import { silentLogger } from '../../src/log.js'
import { ManualTime } from '../helpers/manual-time.js'

const unused = () => {
  throw new Error('not used by these tests')
}
const ctx: ControlHandlers = {
  status: () => ({ daemon: { pid: 1, configFile: 'f', startedAt: 's', version: 'v' }, mounts: [] }),
  mount: unused,
  unmount: unused,
  reload: unused,
  refresh: unused,
  cache: unused,
  cacheClear: unused,
  uploads: unused,
  retry: unused,
  discard: unused,
  version: unused,
}
const noChanges = { added: [], removed: [], changed: [], unchanged: [], failed: [] }

async function serve(t: { teardown(fn: () => unknown): void }, options: { maxConnections?: number; idleTimeoutMs?: number }, context = ctx) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmlim-'))
  const socketPath = path.join(dir, 'c.sock')
  const time = new ManualTime()
  const server = new ControlServer(socketPath, context, silentLogger, { time, ...options })
  await server.listen()
  const clients: net.Socket[] = []
  t.teardown(async () => {
    for (const c of clients) c.destroy()
    await server.close()
    await fs.rm(dir, { recursive: true, force: true })
  })
  /** An idle client, with what it has received and whether the server closed it. */
  const connect = async () => {
    const conn = net.connect(socketPath)
    clients.push(conn)
    const state = { conn, received: '', closed: false }
    conn.setEncoding('utf8')
    conn.on('data', d => (state.received += d))
    conn.on('close', () => (state.closed = true))
    conn.on('error', () => {})
    await new Promise(r => conn.once('connect', r))
    return state
  }
  return { socketPath, time, server, connect }
}

/** Real time for socket events to arrive (not a timer of the code under test). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(r => setTimeout(r, 5)) // real-world wait: socket events
  }
}

t.test('at the cap the connection idle the longest makes room; with all busy, a new one is told why', async t => {
  let finishAll!: () => void
  const ended = new Promise<void>(r => (finishAll = r))
  const slow: ControlHandlers = { ...ctx, reload: () => ended.then(() => noChanges) }
  const s = await serve(t, { maxConnections: 3 }, slow)
  const first = await s.connect()
  await s.time.advance(10)
  const second = await s.connect()
  await s.time.advance(10)
  const third = await s.connect()
  t.match(await sendRequest(s.socketPath, 'status', {}, { timeoutMs: 2_000 }), { ok: true }, 'a mountctl command gets through')
  await until(() => first.closed, 'the idlest closed')
  t.notOk(second.closed || third.closed, 'the others stay')

  const busy = [await s.connect(), await s.connect(), await s.connect()]
  for (const [i, b] of busy.entries()) b.conn.write(`{"id":${i},"command":"reload"}\n`)
  await until(() => busy.every(b => !b.closed) && second.closed && third.closed, 'the idle ones made room for the busy ones')
  await until(() => s.server.connectionCount === 3, 'three held')
  const extra = await s.connect()
  await until(() => extra.received.includes('\n'), 'the extra connection answered')
  extra.conn.end()
  await until(() => extra.closed, 'and closed')
  t.match(JSON.parse(extra.received), { id: null, ok: false, error: { message: /too many control connections \(3\)/, hint: /mountctl/ } })
  const refused = await sendRequest(s.socketPath, 'status', {}, { timeoutMs: 2_000 })
  t.match(refused, { ok: false, error: { message: /too many control connections/ } }, 'a client sending its request reads the answer')
  finishAll()
  await until(() => busy.every(b => b.received.includes('"ok":true')), 'the running requests answered')
})

t.test('thousands of idle connections: the daemon keeps answering and holds at most the cap', async t => {
  const s = await serve(t, { maxConnections: 16 })
  const flood = await Promise.all(Array.from({ length: 400 }, () => s.connect()))
  await until(() => flood.filter(c => !c.closed).length <= 16, 'the extra ones closed')
  t.ok(s.server.connectionCount <= 16, `held ${s.server.connectionCount}`)
  t.match(await sendRequest(s.socketPath, 'status', {}, { timeoutMs: 2_000 }), { ok: true }, 'answered while the flood holds its connections')
  for (const c of flood) c.conn.destroy()
  await until(() => s.server.connectionCount === 0, 'all gone')
  t.match(await sendRequest(s.socketPath, 'status', {}, { timeoutMs: 2_000 }), { ok: true })
})

t.test('an idle connection is closed after idleTimeoutMs; one with a request running is not', async t => {
  let finish!: () => void
  const slow: ControlHandlers = { ...ctx, reload: () => new Promise(r => (finish = () => r(noChanges))) }
  const s = await serve(t, { idleTimeoutMs: 30_000 }, slow)
  const idle = await s.connect()
  const busy = await s.connect()
  busy.conn.write('{"id":1,"command":"reload"}\n')
  await until(() => typeof finish === 'function', 'the request arrived')
  await s.time.advance(29_999)
  t.notOk(idle.closed)
  await s.time.advance(1)
  await until(() => idle.closed, 'the idle connection closed')
  await s.time.advance(60_000)
  t.notOk(busy.closed, 'a running request keeps its connection')
  finish()
  await until(() => busy.received.includes('"ok":true'), 'the answer')
  await s.time.advance(29_999)
  t.notOk(busy.closed, 'idle time counts from the answer')
  await s.time.advance(1)
  await until(() => busy.closed, 'then closed')
})
