import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { sendRequest } from '../../src/control/client.js'
import type { ControlHandlers } from '../../src/control/commands.js'
import { ControlServer } from '../../src/control/server.js'
import { Daemon } from '../../src/daemon/daemon.js'
import { ManualTime } from '../helpers/manual-time.js'
import { silentLogger } from '../../src/log.js'
import { FakeBackend } from '../daemon/fake-backend.js'

async function tmp(t: { teardown(fn: () => unknown): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mmc-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  return dir
}

/** Sends raw lines, returns the reply lines. */
function rawExchange(socketPath: string, payload: string, expectLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socketPath)
    let buf = ''
    conn.setEncoding('utf8')
    conn.on('data', d => {
      buf += d
      const lines = buf.split('\n').filter(Boolean)
      if (lines.length >= expectLines) {
        conn.destroy()
        resolve(lines)
      }
    })
    conn.on('error', reject)
    conn.write(payload)
  })
}

const ctx: ControlHandlers = {
  status: () => ({ daemon: { pid: 1, configFile: 'f', startedAt: 's', version: 'v' }, mounts: [] }),
  mount: async () => {
    throw new Error('boom')
  },
  unmount: async () => {
    throw Object.assign(new Error('busy'), { hint: 'close files' })
  },
  reload: async () => ({ added: [], removed: [], changed: [], unchanged: [], failed: [] }),
  refresh: () => {
    throw new Error('sync throw')
  },
  cache: () => {
    throw new Error('no store here')
  },
  cacheClear: () => {
    throw new Error('no store here')
  },
  uploads: () => ({ uploads: [] }),
  retry: async () => ({ retried: 0 }),
  discard: async () => {
    throw new Error('nothing staged')
  },
  version: () => ({ daemon: { version: 'v', node: '20', pid: 1 }, mounts: [] }),
}

t.test('bad lines get error replies and the connection goes on', async t => {
  const dir = await tmp(t)
  const socketPath = path.join(dir, 'c.sock')
  const server = new ControlServer(socketPath, ctx, silentLogger)
  await server.listen()
  t.teardown(() => server.close())
  const lines = await rawExchange(
    socketPath,
    'not json\n{"id":2}\n{"id":3,"command":"frobnicate"}\n{"id":4,"command":"status"}\n{"id":5,"command":"mount","args":{}}\n{"id":6,"command":"unmount","args":{"name":"a"}}\n{"id":7,"command":"refresh","args":{"name":"a"}}\n',
    7,
  )
  const replies = lines.map(l => JSON.parse(l)).sort((a, b) => (a.id ?? 0) - (b.id ?? 0))
  t.match(replies[0], { id: null, ok: false, error: { message: 'request is not valid JSON' } })
  t.match(replies[1], { id: 2, ok: false, error: { message: /must look like/ } })
  t.match(replies[2], { id: 3, ok: false, error: { message: 'unknown command "frobnicate"', hint: /status, mount, unmount, reload, refresh/ } })
  t.match(replies[3], { id: 4, ok: true, result: { mounts: [] } })
  t.match(replies[4], { id: 5, ok: false, error: { message: '"mount" needs args.name (a string)' } })
  t.match(replies[5], { id: 6, ok: false, error: { message: 'busy', hint: 'close files' } })
  t.match(replies[6], { id: 7, ok: false, error: { message: 'sync throw' } })
  const again = await sendRequest(socketPath, 'reload')
  t.match(again, { ok: true, result: { added: [] } }, 'server still answers')
})

t.test('an over-long line is refused without crashing', async t => {
  const dir = await tmp(t)
  const socketPath = path.join(dir, 'c.sock')
  const server = new ControlServer(socketPath, ctx, silentLogger)
  await server.listen()
  t.teardown(() => server.close())
  const lines = await rawExchange(socketPath, 'x'.repeat(1024 * 1024 + 10), 1)
  t.match(JSON.parse(lines[0]!), { ok: false, error: { message: /longer than/ } })
  t.match(await sendRequest(socketPath, 'status'), { ok: true })
})

t.test('status answers at once while a bridge hangs', async t => {
  const dir = await tmp(t)
  const configFile = path.join(dir, 'mounts.json')
  await fs.writeFile(configFile, JSON.stringify({ mounts: [{ name: 'h', url: 'http://127.0.0.1:4443/HHHHHHHH/H', mountpoint: path.join(dir, 'mnt') }] }))
  const backend = new FakeBackend()
  backend.bridge('http://127.0.0.1:4443/HHHHHHHH/H').mode = 'hang'
  const time = new ManualTime()
  const socketPath = path.join(dir, 'c.sock')
  const daemon = new Daemon({ configFile, socketPath, stateDir: path.join(dir, 's'), backend, time, logger: silentLogger, version: 't' })
  await daemon.start()
  t.teardown(() => daemon.stop())
  // The probe hangs until the manual clock moves, which it never does here.
  const started = Date.now()
  const reply = await sendRequest(socketPath, 'status', {}, { timeoutMs: 2_000 })
  t.ok(Date.now() - started < 1_000, 'answered at once')
  t.match(reply, { ok: true, result: { mounts: [{ name: 'h', state: 'waiting' }] } })
  const one = await sendRequest(socketPath, 'status', { name: 'nope' })
  t.match(one, { ok: false, error: { message: 'no profile named "nope"', hint: /known: h/ } })
})

t.test('a request still running sees its signal aborted when the client goes away; others are answered meanwhile', async t => {
  const dir = await tmp(t)
  const socketPath = path.join(dir, 'c.sock')
  let seen: AbortSignal | null = null
  const aborted = new Promise<string>(resolve => {
    const waiting: ControlHandlers = {
      ...ctx,
      unmount: (_args, signal) =>
        new Promise((_, reject) => {
          seen = signal
          signal.addEventListener('abort', () => {
            resolve(String((seen!.reason as Error).message))
            reject(new Error('cancelled'))
          })
        }),
    }
    const server = new ControlServer(socketPath, waiting, silentLogger)
    t.teardown(() => server.close())
    void server.listen().then(() => {
      const conn = net.connect(socketPath)
      conn.write('{"id":1,"command":"unmount","args":{"name":"a","force":false}}\n')
      const check = setInterval(() => {
        if (!seen) return
        clearInterval(check)
        void sendRequest(socketPath, 'status', {}, { timeoutMs: 2_000 }).then(reply => {
          t.match(reply, { ok: true }, 'status answered while unmount waits')
          t.equal(seen!.aborted, false, 'not aborted while the client is there')
          conn.destroy()
        })
      }, 10)
    })
  })
  t.match(await aborted, /client closed the connection/)
})

t.test('args of the upload commands are checked', async t => {
  const dir = await tmp(t)
  const socketPath = path.join(dir, 'c.sock')
  const server = new ControlServer(socketPath, ctx, silentLogger)
  await server.listen()
  t.teardown(() => server.close())
  t.match(await sendRequest(socketPath, 'unmount', { name: 'a', force: 'yes' }), { ok: false, error: { message: '"unmount": args.force must be true or false' } })
  t.match(await sendRequest(socketPath, 'uploads'), { ok: true, result: { uploads: [] } })
  t.match(await sendRequest(socketPath, 'retry', {}), { ok: false, error: { message: '"retry" needs args.name (a string)' } })
  t.match(await sendRequest(socketPath, 'retry', { name: 'a' }), { ok: true, result: { retried: 0 } })
  t.match(await sendRequest(socketPath, 'discard', { name: 'a' }), { ok: false, error: { message: '"discard" needs args.path (a string)' } })
  t.match(await sendRequest(socketPath, 'discard', { name: 'a', path: '/x' }), { ok: false, error: { message: 'nothing staged' } })
  t.match(await sendRequest(socketPath, 'mount', { name: '' }), { ok: false, error: { message: '"mount" needs args.name (a string)' } }, 'an empty name is no name')
  t.match(await sendRequest(socketPath, 'retry', { name: 'a', path: null }), { ok: true, result: { retried: 0 } }, 'null stands for left out')
  t.match(await sendRequest(socketPath, 'refresh', { name: 'a', path: 7 }), { ok: false, error: { message: '"refresh": args.path must be a string' } })
})
