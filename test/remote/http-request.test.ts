// Real sockets on 127.0.0.1 with short bounds: what is tested here is that
// the socket-level timers fire (and do not fire while data moves), which an
// injected clock cannot show.
import http from 'node:http'
import net from 'node:net'
import { Readable } from 'node:stream'
import t from 'tap'
import { RequestTimeoutError } from '../../src/remote/errors.js'
import { discardBody, readBody, sendRequest } from '../../src/remote/http-request.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

async function serve(t: { teardown: (fn: () => void) => void }, handler: Handler) {
  const server = http.createServer(handler)
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as net.AddressInfo).port
  return { url: (path: string) => new URL(`http://127.0.0.1:${port}${path}`), connections: () => connections }
}

t.test('header names are sent exactly as spelled, one connection per request', async t => {
  const seen: string[][] = []
  const srv = await serve(t, (req, res) => {
    seen.push(req.rawHeaders.filter((_, i) => i % 2 === 0))
    res.end('ok')
    // Like MEGA's bridge: the connection is closed after every answer.
    res.on('finish', () => req.socket.destroy())
  })
  for (let i = 0; i < 5; i++) {
    const res = await sendRequest({ url: srv.url('/f'), method: 'GET', headers: { Range: 'bytes=0-1', Depth: '1', Destination: 'x', Overwrite: 'F' }, idleTimeoutMs: 2000 })
    t.equal(res.status, 200)
    t.equal((await readBody(res)).data.toString(), 'ok')
  }
  t.equal(srv.connections(), 5, 'no socket is reused')
  for (const names of seen) {
    t.ok(names.includes('Range') && names.includes('Depth') && names.includes('Destination') && names.includes('Overwrite'), names.join(','))
  }
})

t.test('a server that accepts and never answers is cut after the idle bound', async t => {
  const sockets: net.Socket[] = []
  const server = net.createServer(s => sockets.push(s))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  const port = (server.address() as net.AddressInfo).port
  const started = Date.now()
  await t.rejects(sendRequest({ url: new URL(`http://127.0.0.1:${port}/`), method: 'PROPFIND', idleTimeoutMs: 200 }), new RequestTimeoutError(200, 'idle'))
  t.ok(Date.now() - started < 5000)
})

t.test('a body that stops in the middle is cut; one that keeps moving is not', async t => {
  const srv = await serve(t, (req, res) => {
    res.writeHead(200, { 'Content-Length': 600 })
    let sent = 0
    const timer = setInterval(() => {
      res.write(Buffer.alloc(100, 1))
      sent += 100
      if (req.url === '/stalls' && sent === 200) clearInterval(timer)
      if (sent === 600) {
        clearInterval(timer)
        res.end()
      }
    }, 50)
    res.on('close', () => clearInterval(timer))
  })
  const moving = await sendRequest({ url: srv.url('/moves'), method: 'GET', idleTimeoutMs: 500 })
  t.equal((await readBody(moving)).data.length, 600, 'total time above the bound is fine while bytes arrive')
  const stalling = await sendRequest({ url: srv.url('/stalls'), method: 'GET', idleTimeoutMs: 500 })
  await t.rejects(readBody(stalling), { name: 'RequestTimeoutError', phase: 'idle' })
})

t.test('the wait for the answer after an upload has its own bound', async t => {
  const srv = await serve(t, (req, res) => {
    req.resume()
    req.on('end', () => setTimeout(() => res.end('stored'), 800)) // real-world wait: a server that answers late on purpose, to test a real socket's bound
  })
  const upload = () => Readable.from([Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)])
  const progress: number[] = []
  const ok = await sendRequest({ url: srv.url('/up'), method: 'PUT', headers: { 'Content-Length': 2000 }, body: upload(), idleTimeoutMs: 300, answerTimeoutMs: 4000, onBodyProgress: n => progress.push(n) })
  t.equal(ok.status, 200)
  t.equal((await readBody(ok)).data.toString(), 'stored')
  t.same(progress, [1000, 2000])
  await t.rejects(
    sendRequest({ url: srv.url('/up'), method: 'PUT', headers: { 'Content-Length': 2000 }, body: upload(), idleTimeoutMs: 4000, answerTimeoutMs: 300 }),
    { name: 'RequestTimeoutError', phase: 'answer', timeoutMs: 300 },
  )
})

t.test('readBody stops at its limit; discardBody drops the rest', async t => {
  const srv = await serve(t, (_req, res) => res.end(Buffer.alloc(1 << 20, 7)))
  const res = await sendRequest({ url: srv.url('/big'), method: 'GET', idleTimeoutMs: 2000 })
  const { data, truncated } = await readBody(res, 10)
  t.equal(data.length, 10)
  t.ok(truncated)
  const dropped = await sendRequest({ url: srv.url('/big'), method: 'GET', idleTimeoutMs: 2000 })
  discardBody(dropped)
  await new Promise(resolve => dropped.body.once('close', resolve))
  t.ok((dropped.body as import('node:http').IncomingMessage).destroyed, 'a node:http answer: its stream is destroyed')
})

t.test('refused connections and aborts reject', async t => {
  const closed = net.createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as net.AddressInfo).port
  await new Promise(resolve => closed.close(resolve))
  await t.rejects(sendRequest({ url: new URL(`http://127.0.0.1:${port}/`), method: 'GET', idleTimeoutMs: 2000 }), { code: 'ECONNREFUSED' })
  const srv = await serve(t, () => {})
  const ac = new AbortController()
  const pending = sendRequest({ url: srv.url('/'), method: 'GET', idleTimeoutMs: 5000, signal: ac.signal })
  ac.abort()
  await t.rejects(pending, { name: 'AbortError' })
})
