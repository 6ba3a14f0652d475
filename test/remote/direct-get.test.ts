// The direct GET client against raw sockets on 127.0.0.1, so each test
// decides exactly how the answer is cut into writes and when the connection
// ends. Real sockets and short bounds: what is tested is that the socket's
// own timer fires (and not while bytes move), which an injected clock cannot show.
import net from 'node:net'
import t from 'tap'
import { DirectBody, sendDirectGet, StreamIdleError } from '../../src/remote/direct-get.js'
import { parseHead } from '../../src/remote/http-head.js'
import { RequestTimeoutError } from '../../src/remote/errors.js'
import { discardBody, readBody } from '../../src/remote/http-request.js'
import { WebDavRemote } from '../../src/remote/webdav-remote.js'
import { RemoteError } from '../../src/remote/remote.js'

/** Each connection: the request head as received, and the socket to answer on. */
type Answer = (socket: net.Socket, head: string) => void | Promise<void>

async function rawServer(t: { teardown: (fn: () => void) => void }, answer: Answer) {
  const sockets = new Set<net.Socket>()
  const heads: string[] = []
  const server = net.createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let got = ''
    const onData = (chunk: Buffer) => {
      got += chunk.toString('latin1')
      const end = got.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      heads.push(got.slice(0, end))
      void answer(socket, got.slice(0, end))
    }
    socket.on('data', onData)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  const port = (server.address() as net.AddressInfo).port
  return { url: (path = '/f') => new URL(`http://127.0.0.1:${port}${path}`), heads, port }
}

/** A write, then a real pause so the client sees it as a read of its own. */
async function send(socket: net.Socket, data: string | Buffer): Promise<void> {
  await new Promise<void>(resolve => socket.write(data, () => resolve()))
  await new Promise(resolve => setTimeout(resolve, 20)) // real-world wait: see above
}

function pattern(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255
  return b
}

const get = (url: URL, extra: { idleTimeoutMs?: number; signal?: AbortSignal; maxBodyBytes?: number } = {}) =>
  sendDirectGet({ url, headers: { Range: 'bytes=0-99' }, idleTimeoutMs: extra.idleTimeoutMs ?? 2000, signal: extra.signal, maxBodyBytes: extra.maxBodyBytes ?? 1 << 20 })

t.test('the request: Range spelled so, Host, one connection per request', async t => {
  const srv = await rawServer(t, socket => void socket.end('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/2\r\nContent-Length: 2\r\n\r\nok'))
  const res = await get(srv.url('/a%20b?x=1'))
  t.equal(res?.status, 206)
  t.equal((await res!.body.whole()).toString(), 'ok')
  const lines = srv.heads[0]!.split('\r\n')
  t.equal(lines[0], 'GET /a%20b?x=1 HTTP/1.1')
  t.ok(lines.includes('Range: bytes=0-99'), 'Range spelled with its capital')
  t.ok(lines.includes(`Host: 127.0.0.1:${srv.port}`))
  t.ok(lines.includes('Connection: close'))
})

t.test('headers split across reads, then a body in many pieces', async t => {
  const body = pattern(300_000)
  const srv = await rawServer(t, async socket => {
    const head = `HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-${body.length - 1}/${body.length}\r\nContent-Length: ${body.length}\r\n\r\n`
    for (const piece of [head.slice(0, 5), head.slice(5, 30), head.slice(30, head.length - 1), head.slice(head.length - 1)]) await send(socket, piece)
    for (let at = 0; at < body.length; at += 70_000) await send(socket, body.subarray(at, at + 70_000))
    socket.end()
  })
  const res = await get(srv.url())
  t.equal(res?.headers['content-length'], String(body.length))
  const data = await res!.body.whole()
  t.ok(data.equals(body), 'every byte in place')
})

t.test('body bytes that arrive with the headers are kept', async t => {
  const body = pattern(5000, 7)
  const srv = await rawServer(t, async socket => {
    await send(socket, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body.subarray(0, 1234)]))
    socket.end(body.subarray(1234))
  })
  const res = await get(srv.url())
  t.equal(res?.status, 200)
  t.ok((await readBody(res!)).data.equals(body))
})

t.test('a whole answer in one write, larger than the header room', async t => {
  const body = pattern(100_000, 3)
  const srv = await rawServer(t, socket => void socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial\r\nContent-Length: ${body.length}\r\n\r\n`), body])))
  const res = await get(srv.url())
  t.ok((await res!.body.whole()).equals(body))
})

t.test('a body that ends before its Content-Length is an error, never short data', async t => {
  const srv = await rawServer(t, async socket => {
    await send(socket, 'HTTP/1.1 206 Partial Content\r\nContent-Length: 1000\r\n\r\n')
    await send(socket, pattern(600))
    socket.end()
  })
  const res = await get(srv.url())
  await t.rejects(readBody(res!), { code: 'ECONNRESET' })
})

t.test('a server that closes before the headers end: socket hang up', async t => {
  const srv = await rawServer(t, socket => void socket.end('HTTP/1.1 206 Partial Content\r\nContent-Le'))
  await t.rejects(get(srv.url()), { code: 'ECONNRESET' })
})

t.test('a server that resets the connection in the middle of the body', async t => {
  const srv = await rawServer(t, async socket => {
    await send(socket, 'HTTP/1.1 206 Partial Content\r\nContent-Length: 100000\r\n\r\n')
    await send(socket, pattern(1000))
    socket.resetAndDestroy()
  })
  const res = await get(srv.url())
  await t.rejects(res!.body.whole(), { code: 'ECONNRESET' })
})

t.test('connection refused is the socket error', async t => {
  const probe = net.createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as net.AddressInfo).port
  await new Promise(resolve => probe.close(resolve))
  await t.rejects(get(new URL(`http://127.0.0.1:${port}/f`)), { code: 'ECONNREFUSED' })
})

t.test('the idle bound: before the headers, in the body, and not while bytes move', async t => {
  const silent = await rawServer(t, () => {})
  await t.rejects(get(silent.url(), { idleTimeoutMs: 200 }), new RequestTimeoutError(200, 'idle'))

  const stalls = await rawServer(t, async socket => {
    await send(socket, 'HTTP/1.1 206 Partial Content\r\nContent-Length: 10000\r\n\r\n')
    await send(socket, pattern(100))
  })
  const res = await get(stalls.url(), { idleTimeoutMs: 200 })
  await t.rejects(res!.body.whole(), new RequestTimeoutError(200, 'idle'))

  // 16 pieces about 100 ms apart: 1.6 s in all, far more than the bound,
  // but never near 1 s without a byte (a margin for a busy machine).
  const body = pattern(16_000)
  const slow = await rawServer(t, async socket => {
    await send(socket, `HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\n\r\n`)
    for (let at = 0; at < body.length; at += 1000) {
      await send(socket, body.subarray(at, at + 1000))
      await new Promise(resolve => setTimeout(resolve, 80)) // real-world wait: a slow server paces its bytes
    }
    socket.end()
  })
  const started = Date.now()
  const moving = await get(slow.url(), { idleTimeoutMs: 1000 })
  t.ok((await moving!.body.whole()).equals(body))
  t.ok(Date.now() - started > 1000, 'the whole answer took longer than the bound')
})

t.test('an abort rejects with its reason, before and after the headers', async t => {
  const srv = await rawServer(t, async socket => {
    await send(socket, 'HTTP/1.1 206 Partial Content\r\nContent-Length: 10000\r\n\r\n')
    await send(socket, pattern(100))
  })
  const early = new AbortController()
  early.abort(new Error('stop early'))
  await t.rejects(get(srv.url(), { signal: early.signal }), { message: 'stop early' })

  const later = new AbortController()
  const res = await get(srv.url(), { signal: later.signal })
  const closed = new Promise(resolve => res!.body.once('close', resolve))
  later.abort(new Error('stop now'))
  await t.rejects(res!.body.whole(), { message: 'stop now' })
  await closed
})

t.test('other statuses: headers only, the body is dropped unread', async t => {
  const srv = await rawServer(t, socket => void socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope!'))
  const res = await get(srv.url())
  t.equal(res?.status, 404)
  t.type(res?.body, DirectBody)
  await t.rejects(res!.body.whole(), TypeError)
  const closed = new Promise(resolve => res!.body.once('close', resolve))
  discardBody(res!)
  await closed
})

t.test('answers left to node:http resolve null: chunked, unsized, too long, 1xx, huge headers', async t => {
  const cases = [
    'HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\n\r\nuntil close',
    'HTTP/1.1 206 Partial Content\r\nContent-Length: 2000000\r\n\r\n',
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n\r\nok',
    `HTTP/1.1 206 Partial Content\r\nX-Big: ${'x'.repeat(70_000)}\r\nContent-Length: 2\r\n\r\nok`,
    'HTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
  ]
  for (const answer of cases) {
    const srv = await rawServer(t, socket => void socket.end(answer))
    t.equal(await get(srv.url()), null, answer.slice(0, 40))
  }
})

const streamed = (url: URL, pausedIdleMs = 5000) =>
  sendDirectGet({ url, headers: { Range: 'bytes=0-' }, idleTimeoutMs: 5000, maxBodyBytes: 1 << 30, streamed: true, pausedIdleMs })

/** Answers with a body of `megabytes` MiB (byte i of MiB m is (i * 31 + m) & 255),
 *  written as fast as the client reads it; `sent()` is how much it has written. */
async function bigServer(t: Parameters<typeof rawServer>[0], megabytes: number) {
  let written = 0
  const srv = await rawServer(t, async socket => {
    socket.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${megabytes << 20}\r\n\r\n`)
    for (let m = 0; m < megabytes; m++) {
      if (socket.destroyed) return
      written += 1 << 20
      if (!socket.write(pattern(1 << 20, m))) await new Promise(resolve => socket.once('drain', resolve).once('close', resolve))
    }
    socket.end()
  })
  return { ...srv, sent: () => written }
}

t.test('a streamed answer: pieces in order, in the buffers given, the server held back between them', async t => {
  const srv = await bigServer(t, 64)
  const res = await streamed(srv.url())
  const mine = Buffer.alloc(1 << 20)
  const first = await res!.body.take(1 << 20, n => (n === mine.length ? mine : Buffer.alloc(n)))
  t.equal(first, mine, 'the piece is the buffer allocate gave')
  t.ok(first.equals(pattern(1 << 20, 0)))
  await new Promise(resolve => setTimeout(resolve, 300)) // real-world wait: the server sends what TCP lets it
  // Loopback socket buffers hold a few MiB at most: far from the 64 MiB the
  // server would have written had the client gone on reading.
  t.ok(srv.sent() < 32 << 20, `the server was held back (${srv.sent() >> 20} MiB written)`)
  // Pieces across the server's writes, queued before the first is in.
  const pieces = [res!.body.take(1.5 * (1 << 20)), res!.body.take((1 << 20) / 2), res!.body.take(61 << 20)]
  const rest = Buffer.concat(await Promise.all(pieces))
  const want = Buffer.concat(Array.from({ length: 63 }, (_, m) => pattern(1 << 20, m + 1)))
  t.equal(rest.length, want.length)
  t.ok(rest.equals(want), 'every byte in place, in order')
  await t.rejects(res!.body.take(1), Error, 'nothing left to take')
})

t.test('a streamed answer cut short fails the piece under way, never short data', async t => {
  const srv = await rawServer(t, async socket => {
    await send(socket, 'HTTP/1.1 206 Partial Content\r\nContent-Length: 3000\r\n\r\n')
    await send(socket, pattern(1000))
    socket.end()
  })
  const res = await streamed(srv.url())
  t.ok((await res!.body.take(500)).equals(pattern(1000).subarray(0, 500)))
  await t.rejects(res!.body.take(2000), { code: 'ECONNRESET' })
  await t.rejects(res!.body.whole(), TypeError)
})

t.test('a streamed answer nobody takes from is closed after pausedIdleMs', async t => {
  const srv = await bigServer(t, 64)
  const res = await streamed(srv.url(), 200)
  await res!.body.take(1000)
  await new Promise(resolve => res!.body.once('close', resolve))
  await t.rejects(res!.body.take(1000), new StreamIdleError(200))
})

t.test('parseHead', async t => {
  t.same(parseHead('HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/2\r\nX-A: 1\r\nx-a: 2'), { status: 206, headers: { 'content-range': 'bytes 0-1/2', 'x-a': '1, 2' } })
  t.same(parseHead('HTTP/1.0 200'), { status: 200, headers: {} })
  t.equal(parseHead('HTTP/2 200'), null)
  t.equal(parseHead('HTTP/1.1 200 OK\r\n folded'), null)
  t.equal(parseHead('HTTP/1.1 200 OK\r\nno colon'), null)
})

// Through WebDavRemote.read: the checks of range-answer.ts and the retry of
// a wrong body apply to direct answers exactly as to node:http ones.
t.test('WebDavRemote.read over the direct client', async t => {
  const file = pattern(50_000, 9)
  let mode: 'good' | '200' | 'wrong-range' | 'short' | 'chunked' = 'good'
  const srv = await rawServer(t, (socket, head) => {
    const m = /Range: bytes=(\d+)-(\d+)/.exec(head)!
    const [a, b] = [Number(m[1]), Number(m[2])]
    const part = file.subarray(a, b + 1)
    if (mode === 'good') socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${file.length}\r\nContent-Length: ${part.length}\r\n\r\n`), part]))
    if (mode === '200') socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${file.length}\r\n\r\n`), file]))
    if (mode === 'wrong-range') socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a + 1}-${b + 1}/${file.length}\r\nContent-Length: ${part.length}\r\n\r\n`), part]))
    if (mode === 'short') socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${file.length}\r\nContent-Length: ${part.length}\r\n\r\n`), part.subarray(0, 10)]))
    if (mode === 'chunked') socket.end(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${file.length}\r\nTransfer-Encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n${part.toString('latin1')}\r\n0\r\n\r\n`, 'latin1')
  })
  const remote = new WebDavRemote({ url: srv.url('/').href, requestTimeoutMs: 2000 })
  t.ok((await remote.read('f', 1000, 20_000)).equals(file.subarray(1000, 21_000)))

  mode = '200'
  await t.rejects(remote.read('f', 1000, 100), { kind: 'bad-reply', message: /ignored the Range header/ })
  t.ok((await remote.read('f', 0, file.length)).equals(file), 'a 200 with the whole file is the whole file')

  mode = 'wrong-range'
  await t.rejects(remote.read('f', 1000, 100), { kind: 'bad-reply', message: /Content-Range bytes 1001-1100/ })

  mode = 'short'
  const short = await remote.read('f', 1000, 100).catch((err: unknown) => err)
  t.type(short, RemoteError)
  t.equal((short as RemoteError).kind, 'bridge-down', 'a short body is a failed request')
  t.equal(remote.stats().inFlight, 0, 'every slot given back')

  mode = 'chunked'
  t.ok((await remote.read('f', 1000, 100)).equals(file.subarray(1000, 1100)), 'a chunked answer is read again through node:http')
  mode = 'good'
  const before = srv.heads.length
  t.ok((await remote.read('f', 0, 100)).equals(file.subarray(0, 100)))
  t.equal(srv.heads.length, before + 1, 'after that server answered chunked, one request per read')
})

t.test('WebDavRemote.openStream: one request taken in pieces, checked like read()', async t => {
  const file = pattern(3_000_000, 5)
  let mode: 'good' | 'wrong-range' | 'shorter' | 'chunked' = 'good'
  const srv = await rawServer(t, (socket, head) => {
    const m = /Range: bytes=(\d+)-(\d+)/.exec(head)!
    const [a, b] = [Number(m[1]), Number(m[2])]
    const part = file.subarray(a, b + 1)
    const range = mode === 'wrong-range' ? `${a + 1}-${b + 1}` : mode === 'shorter' ? `${a}-${b - 10}` : `${a}-${b}`
    const body = mode === 'shorter' ? part.subarray(0, part.length - 10) : part
    if (mode === 'chunked') socket.end(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${a}-${b}/${file.length}\r\nTransfer-Encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n${part.toString('latin1')}\r\n0\r\n\r\n`, 'latin1')
    else socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 206 Partial Content\r\nContent-Range: bytes ${range}/${file.length}\r\nContent-Length: ${body.length}\r\n\r\n`), body]))
  })
  const remote = new WebDavRemote({ url: srv.url('/').href, requestTimeoutMs: 2000 })
  const stream = remote.openStream('f', 1000, 2_000_000)!
  t.equal(stream.position, 1000)
  const pieces = [stream.take(700_000), stream.take(1_000_000)]
  t.equal(stream.position, 1_701_000, 'position moves as pieces are asked for')
  pieces.push(stream.take(5_000_000))
  const got = Buffer.concat(await Promise.all(pieces))
  t.ok(got.equals(file.subarray(1000, 2_001_000)), 'the last piece stops at the end asked for')
  t.equal(srv.heads.length, 1, 'one request for all of it')
  t.match(srv.heads[0], /Range: bytes=1000-2000999/)
  t.equal(remote.stats().bytesRead, 2_000_000)
  await t.rejects(stream.take(1), /closed or has no bytes left/)

  mode = 'wrong-range'
  await t.rejects(remote.openStream('f', 1000, 100_000)!.take(100), { kind: 'bad-reply', message: /Content-Range bytes 1001-/ })
  mode = 'shorter'
  await t.rejects(remote.openStream('f', 1000, 100_000)!.take(100), { kind: 'bad-reply', message: /not up to the end of the file/ })
  mode = 'chunked'
  await t.rejects(remote.openStream('f', 1000, 100_000)!.take(100), { kind: 'bad-reply', message: /cannot be taken in pieces/ })
  t.equal(remote.openStream('f', 1000, 100_000), null, 'after that server answered chunked, no streams')
  await new Promise(resolve => setTimeout(resolve, 50)) // real-world wait: the sockets' close events
  t.equal(remote.stats().inFlight, 0, 'every slot given back')
})
