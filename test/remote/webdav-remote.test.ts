// WebDavRemote against small node:http servers on 127.0.0.1 that answer the
// way MEGA's bridge does (or misbehave on purpose). Every server closes the
// connection after each answer, like the bridge.
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import t from 'tap'
import { RemoteError } from '../../src/remote/remote.js'
import { WebDavRemote, type WebDavRemoteOptions } from '../../src/remote/webdav-remote.js'
import { MANUAL_TIME_START_MS, ManualTime } from '../helpers/manual-time.js'

interface Seen {
  method: string
  url: string
  /** Header names as spelled on the wire, with their values. */
  headers: Record<string, string>
  body: Buffer
}
type Handler = (req: Seen, res: http.ServerResponse) => unknown

async function bridge(t: { teardown: (fn: () => void) => void }, handler: Handler) {
  const seen: Seen[] = []
  let connections = 0
  let active = 0
  let maxActive = 0
  const server = http.createServer((req, res) => {
    active++
    maxActive = Math.max(maxActive, active)
    res.on('close', () => active--)
    res.on('finish', () => req.socket.destroy())
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      const headers: Record<string, string> = {}
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]] = req.rawHeaders[i + 1]
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers, body: Buffer.concat(chunks) }
      seen.push(s)
      void handler(s, res)
    })
  })
  server.on('connection', () => connections++)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    base: `http://127.0.0.1:${port}/f1Y2lIrD/Photos`,
    seen,
    connections: () => connections,
    maxActive: () => maxActive,
  }
}

// Waits between 503 retries pass at once: these tests are about what is sent.
function remote(url: string, options: Partial<WebDavRemoteOptions> = {}) {
  return new WebDavRemote({ url, time: new ManualTime(MANUAL_TIME_START_MS, { instant: true }), ...options })
}

const multistatus = (host: string, entries: Array<{ path: string; dir?: boolean; size?: number }>) =>
  `<?xml version="1.0" encoding="utf-8" ?>\n<d:multistatus xmlns:d="DAV:">` +
  entries
    .map(
      e =>
        `<d:response><d:href>http://${host}${e.path}</d:href><d:propstat><d:status>HTTP/1.1 200 OK</d:status><d:prop>` +
        `<d:displayname>x&add;y</d:displayname><d:creationdate>Mon, 03 Jun 2024 10:00:00 GMT</d:creationdate>` +
        (e.dir
          ? '<d:getlastmodified>Thu, 01 Jan 1970 00:00:00 GMT</d:getlastmodified><d:resourcetype><d:collection/></d:resourcetype>'
          : `<d:getlastmodified>Wed, 05 Jun 2024 12:30:00 GMT</d:getlastmodified><d:resourcetype/><d:getcontentlength>${e.size ?? 0}</d:getcontentlength>`) +
        `</d:prop></d:propstat></d:response>`,
    )
    .join('') +
  '</d:multistatus>'

function reply207(res: http.ServerResponse, xml: string) {
  res.writeHead(207, { 'Content-Type': 'text/xml; charset="utf-8"' })
  res.end(xml)
}

t.test('list: encoded path, Depth spelled exactly, names from hrefs', async t => {
  let answered = 0
  const b = await bridge(t, (req, res) => {
    const host = req.headers.Host
    const xml = multistatus(host, [
      { path: '/f1Y2lIrD/Photos/a%20b%2Bc%25%23%3F/', dir: true },
      { path: '/f1Y2lIrD/Photos/a%20b%2Bc%25%23%3F/caf%C3%A9.jpg', size: 10 },
      { path: '/f1Y2lIrD/Photos/a%20b%2Bc%25%23%3F/Sub', dir: true },
    ])
    answered += Buffer.byteLength(xml)
    reply207(res, xml)
  })
  const r = remote(b.base)
  const listing = await r.list('/a b+c%#?')
  t.equal(b.seen[0].method, 'PROPFIND')
  t.equal(b.seen[0].url, '/f1Y2lIrD/Photos/a%20b%2Bc%25%23%3F')
  t.equal(b.seen[0].headers.Depth, '1')
  t.equal(listing.self.name, 'a b+c%#?')
  t.same(listing.entries.map(e => [e.name, e.isDir, e.size]), [
    ['café.jpg', false, 10],
    ['Sub', true, 0],
  ])
  const entry = await r.stat('/a b+c%#?')
  t.equal(b.seen[1].headers.Depth, '0')
  t.equal(entry.isDir, true)
  t.same(r.stats(), { requests: 2, inFlight: 0, bytesRead: 0, getRequests: 0, listingBytes: answered })
})

t.test('read: Range header, 206, 200 only for a whole-file range, 416', async t => {
  const file = Buffer.from('0123456789')
  const chunk = Buffer.alloc(1 << 20, 1)
  const bigChunks = 512
  const sentChunks: number[] = []
  const b = await bridge(t, (req, res) => {
    const range = req.headers.Range
    const m = /^bytes=(\d+)-(\d+)?$/.exec(range ?? '')
    if (req.url.endsWith('/ignores-range')) {
      // A server that does not honour Range: the whole (large) file, status
      // 200, written as fast as the client takes it.
      res.writeHead(200, { 'Content-Length': bigChunks * chunk.length })
      let written = 0
      const pump = () => {
        while (written < bigChunks && !res.destroyed) {
          written++
          if (written === bigChunks) return res.end(chunk)
          if (!res.write(chunk)) return res.once('drain', pump)
        }
      }
      res.on('close', () => sentChunks.push(written))
      return pump()
    }
    if (req.url.endsWith('/wrong-start')) {
      res.writeHead(206, { 'Content-Range': `bytes 0-3/10` })
      return res.end(file.subarray(0, 4))
    }
    if (!m) return res.writeHead(500).end()
    const start = Number(m[1])
    const end = Math.min(m[2] === undefined ? file.length - 1 : Number(m[2]), file.length - 1)
    if (start >= file.length) return res.writeHead(416).end()
    if (start === 0 && end === file.length - 1) {
      res.writeHead(200, { 'Content-Length': file.length, 'Accept-Ranges': 'bytes' })
      return res.end(file)
    }
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${file.length}`, 'Content-Length': end - start + 1 })
    res.end(file.subarray(start, end + 1))
  })
  const r = remote(b.base)
  t.equal((await r.read('/f.txt', 2, 3)).toString(), '234')
  t.equal(b.seen[0].headers.Range, 'bytes=2-4', "spelled 'Range', inclusive end")
  t.equal((await r.read('/f.txt', 8, 100)).toString(), '89', 'fewer bytes at the end')
  t.equal((await r.read('/f.txt', 0, 10)).toString(), '0123456789', '200 for a range covering the whole file')
  t.equal((await r.read('/f.txt', 0, 4096)).toString(), '0123456789', '200 for a range past the end from 0')
  t.equal((await r.read('/f.txt', 10, 5)).length, 0, '416: past the end')
  t.equal((await r.read('/f.txt', 3, 0)).length, 0, 'nothing asked, nothing sent')
  t.equal(b.seen.length, 5)
  await t.rejects(r.read('/wrong-start', 5, 3), { name: 'RemoteError', kind: 'bad-reply', message: /asked for bytes from 5.*Content-Range bytes 0-3\/10/ })
  await t.rejects(r.read('/ignores-range', 4096, 4096), { name: 'RemoteError', kind: 'bad-reply', message: /ignored the Range header/ })
  await t.rejects(r.read('/ignores-range', 0, 4096), { name: 'RemoteError', kind: 'bad-reply', message: /ignored the Range header/ })
  // real-world wait: the server sees the aborted response's chunks arrive
  while (sentChunks.length < 2) await new Promise(resolve => setTimeout(resolve, 10))
  t.ok(sentChunks.every(n => n < bigChunks / 4), `the client dropped both whole-file answers early (MiB sent: ${sentChunks})`)
  const stats = r.stats()
  t.equal(stats.getRequests, 8)
  t.equal(stats.bytesRead, 3 + 2 + 10 + 10)
  t.equal(stats.inFlight, 0)
  await t.rejects(r.read('/f.txt', -1, 3), RangeError)
})

t.test('read: a body that is not exactly the bytes asked for is refused, never taken for the file', async t => {
  const file = Buffer.from('0123456789abcdefghij') // 20 bytes
  const b = await bridge(t, (req, res) => {
    if (req.method === 'PROPFIND') return reply207(res, multistatus(`127.0.0.1:${b.port}`, [{ path: '/f1Y2lIrD/Photos/', dir: true }]))
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.Range ?? '')!
    const [start, end] = [Number(m[1]), Math.min(Number(m[2]), file.length - 1)]
    const part = file.subarray(start, end + 1)
    const range = `bytes ${start}-${end}/${file.length}`
    switch (req.url.split('/').pop()) {
      case 'short-body': // every header consistent with a body of half the range
        res.writeHead(206, { 'Content-Range': range, 'Content-Length': part.length / 2 })
        return res.end(part.subarray(0, part.length / 2))
      case 'chunked-short': // no length; the body ends early
        res.writeHead(206, { 'Content-Range': range })
        res.write(part.subarray(0, 2))
        return res.end()
      case 'chunked-long':
        res.writeHead(206, { 'Content-Range': range })
        res.write(part)
        return res.end('extra')
      case 'short-range': // honest, but less than asked and not the end of the file
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${start + 1}/${file.length}`, 'Content-Length': 2 })
        return res.end(part.subarray(0, 2))
      case 'past-total':
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${end}`, 'Content-Length': part.length })
        return res.end(part)
      case 'gzip':
        res.writeHead(206, { 'Content-Range': range, 'Content-Encoding': 'gzip' })
        return res.end(zlib.gzipSync(part))
      case 'gzip-200':
        res.writeHead(200, { 'Content-Encoding': 'gzip' })
        return res.end(zlib.gzipSync(file))
      case 'star-total':
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/*`, 'Content-Length': part.length })
        return res.end(part)
      case 'identity':
        res.writeHead(206, { 'Content-Range': range, 'Content-Length': part.length, 'Content-Encoding': 'identity' })
        return res.end(part)
      default: // honest: fewer bytes only at the end of the file
        res.writeHead(206, { 'Content-Range': range, 'Content-Length': part.length })
        return res.end(part)
    }
  })
  const r = remote(b.base)
  for (const name of ['short-body', 'chunked-short', 'chunked-long', 'short-range', 'past-total', 'gzip']) {
    await t.rejects(r.read(`/${name}`, 4, 8), { name: 'RemoteError', kind: 'bad-reply', message: /does not carry the bytes asked for/ }, name)
  }
  await t.rejects(r.read('/gzip-200', 0, 20), { kind: 'bad-reply', message: /Content-Encoding: gzip/ })
  t.equal((await r.read('/honest', 16, 8)).toString(), 'ghij', 'fewer bytes where the Content-Range says the file ends')
  t.equal((await r.read('/star-total', 4, 8)).toString(), '456789ab', 'an unknown total is fine when the range is whole')
  t.equal((await r.read('/identity', 4, 8)).toString(), '456789ab', 'identity is no encoding')
  t.ok(b.seen.every(s => s.headers['Accept-Encoding'] === 'identity'), 'every request asks for the bytes as they are')
  await r.list('/')
  t.equal(b.seen.at(-1)!.headers['Accept-Encoding'], 'identity', 'listings too')
})

t.test('list: an encoded answer is refused with a message', async t => {
  const b = await bridge(t, (_req, res) => {
    res.writeHead(207, { 'Content-Type': 'text/xml', 'Content-Encoding': 'gzip' })
    res.end(zlib.gzipSync(multistatus('127.0.0.1', [{ path: '/f1Y2lIrD/Photos/', dir: true }])))
  })
  await t.rejects(remote(b.base).list('/'), { kind: 'bad-reply', message: /encoded \(Content-Encoding: gzip\)/ })
})

t.test('no connection is reused', async t => {
  const b = await bridge(t, (req, res) => {
    if (req.method === 'PROPFIND') return reply207(res, multistatus(req.headers.Host, [{ path: '/f1Y2lIrD/Photos/', dir: true }]))
    res.writeHead(req.method === 'MKCOL' ? 201 : 204).end()
  })
  const r = remote(b.base)
  for (let i = 0; i < 4; i++) {
    await r.stat('/')
    await r.mkdir(`/d${i}`)
    await r.delete(`/d${i}`)
  }
  await Promise.all(Array.from({ length: 6 }, () => r.list('/')))
  t.equal(b.seen.length, 18)
  t.equal(b.connections(), 18)
  t.ok(b.seen.every(s => s.headers.Connection === 'close'))
})

t.test('at most maxConcurrentRequests in flight', async t => {
  const b = await bridge(t, (req, res) => {
    // real-world wait: a server that takes 30 ms to answer, so requests overlap
    setTimeout(() => reply207(res, multistatus(req.headers.Host, [{ path: '/f1Y2lIrD/Photos/', dir: true }])), 30)
  })
  const r = remote(b.base, { maxConcurrentRequests: 2 })
  const pending = Array.from({ length: 7 }, () => r.stat('/'))
  await Promise.resolve()
  t.ok(r.stats().inFlight <= 2)
  await Promise.all(pending)
  t.equal(b.maxActive(), 2)
  t.equal(r.stats().inFlight, 0)
})

t.test('503 is retried with backoff, then reported busy', async t => {
  let busyLeft = 2
  const b = await bridge(t, (req, res) => {
    if (req.url.endsWith('/always-busy') || busyLeft-- > 0) return res.writeHead(503).end()
    res.writeHead(201).end()
  })
  const time = new ManualTime(MANUAL_TIME_START_MS, { instant: true })
  const delays = time.delays
  const r = remote(b.base, { time, retryBusy: { attempts: 3, baseDelayMs: 200 } })
  await r.mkdir('/new')
  t.same(delays, [200, 400])
  t.equal(b.seen.length, 3)
  delays.length = 0
  const err = await r.mkdir('/always-busy').catch(e => e)
  t.ok(err instanceof RemoteError)
  t.equal(err.kind, 'busy')
  t.equal(err.status, 503)
  t.same(delays, [200, 400])
  t.equal(r.stats().requests, 6)
})

t.test('404: root-missing on the root, checked cheaply below it', async t => {
  let rootServed = true
  const b = await bridge(t, (req, res) => {
    const isRoot = req.url === '/f1Y2lIrD/Photos'
    if (isRoot && rootServed) return reply207(res, multistatus(req.headers.Host, [{ path: '/f1Y2lIrD/Photos/', dir: true }]))
    if (req.url.endsWith('/exists')) return reply207(res, multistatus(req.headers.Host, [{ path: '/f1Y2lIrD/Photos/exists', size: 1 }]))
    res.writeHead(404).end()
  })
  const time = new ManualTime(1_000_000)
  const r = remote(b.base, { time, rootCheckTtlMs: 2000 })
  await t.rejects(r.stat('/missing'), { name: 'RemoteError', kind: 'not-found' })
  t.same(b.seen.map(s => s.url), ['/f1Y2lIrD/Photos/missing', '/f1Y2lIrD/Photos'], 'one follow-up PROPFIND of the root')
  t.equal(b.seen[1].headers.Depth, '0')
  await t.rejects(r.read('/missing', 0, 10), { name: 'RemoteError', kind: 'not-found' })
  t.equal(b.seen.length, 3, 'the root was seen within rootCheckTtlMs: no second check')
  await time.advance(2500)
  await r.stat('/exists')
  await t.rejects(r.delete('/missing'), { name: 'RemoteError', kind: 'not-found' })
  t.equal(b.seen.length, 5, 'any success counts as seeing the root')
  rootServed = false
  await time.advance(2500)
  await t.rejects(r.list('/a/b'), { name: 'RemoteError', kind: 'root-missing', message: /logged out.*renamed.*mega-webdav/ })
  await t.rejects(r.list('/'), { name: 'RemoteError', kind: 'root-missing' })
  await t.rejects(r.stat(''), { name: 'RemoteError', kind: 'root-missing' })
})

t.test('connection refused and silence', async t => {
  const closed = net.createServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as net.AddressInfo).port
  await new Promise(resolve => closed.close(resolve))
  const down = remote(`http://127.0.0.1:${port}/f1Y2lIrD/Photos`)
  await t.rejects(down.list('/'), {
    name: 'RemoteError',
    kind: 'bridge-down',
    message: `PROPFIND /: bridge at 127.0.0.1:${port} refused the connection: is MEGAcmd running? start it with mega-cmd-server or run mega-webdav`,
  })
  t.equal(down.stats().inFlight, 0)

  const sockets: net.Socket[] = []
  const silent = net.createServer(s => sockets.push(s))
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    silent.close()
  })
  const hung = remote(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/x`, { requestTimeoutMs: 150 })
  await t.rejects(hung.read('/f', 0, 10), { name: 'RemoteError', kind: 'timeout', message: /no progress for 150 ms/ })
})

t.test('other statuses become their kinds', async t => {
  const status: Record<string, number> = { forbidden: 403, conflict: 409, exists: 405, full: 507, broken: 500 }
  const b = await bridge(t, (req, res) => {
    const name = req.url.split('/').pop() ?? ''
    res.writeHead(status[name] ?? 500).end()
  })
  const r = remote(b.base)
  await t.rejects(r.mkdir('/forbidden'), { name: 'RemoteError', kind: 'forbidden', status: 403 })
  await t.rejects(r.mkdir('/conflict'), { name: 'RemoteError', kind: 'conflict', status: 409 })
  await t.rejects(r.mkdir('/exists'), { name: 'RemoteError', kind: 'exists', status: 405 })
  await t.rejects(r.mkdir('/full'), { name: 'RemoteError', kind: 'no-space', status: 507 })
  await t.rejects(r.mkdir('/broken'), { name: 'RemoteError', kind: 'other', status: 500, message: /answered 500/ })
  await t.rejects(r.mkdir('/'), { name: 'RemoteError', kind: 'exists' })
  await t.rejects(r.delete('/'), TypeError)
  await t.rejects(r.list('/a/../b'), TypeError)
})

t.test('MOVE and COPY: absolute Destination on the same host, no trailing slash', async t => {
  const b = await bridge(t, (req, res) => {
    if (req.headers.Overwrite === 'F' && req.headers.Destination.endsWith('/taken')) return res.writeHead(412).end()
    res.writeHead(req.method === 'MOVE' ? 204 : 201).end()
  })
  const r = remote(b.base)
  await r.move('/Old Folder/', '/New Folder+1/', { overwrite: false })
  t.equal(b.seen[0].url, '/f1Y2lIrD/Photos/Old%20Folder')
  t.equal(b.seen[0].headers.Destination, `http://127.0.0.1:${b.port}/f1Y2lIrD/Photos/New%20Folder%2B1`)
  t.equal(b.seen[0].headers.Overwrite, 'F')
  t.equal(b.seen[0].headers.Host, `127.0.0.1:${b.port}`, 'Destination names the host the request went to')
  await r.copy('/a', '/b/c d')
  t.equal(b.seen[1].method, 'COPY')
  t.equal(b.seen[1].headers.Destination, `http://127.0.0.1:${b.port}/f1Y2lIrD/Photos/b/c%20d`)
  t.equal(b.seen[1].headers.Overwrite, 'T')
  await t.rejects(r.move('/x', '/taken', { overwrite: false }), { name: 'RemoteError', kind: 'exists', status: 412 })
  await t.rejects(r.move('/', '/y'), TypeError)
})

t.test('PUT streams a 20 MiB file from disk with progress', async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webdav-remote-put-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const size = 20 << 20
  const file = path.join(dir, 'big.bin')
  const fd = fs.openSync(file, 'w')
  const block = Buffer.alloc(1 << 20)
  for (let i = 0; i < 20; i++) fs.writeSync(fd, block.fill(i))
  fs.closeSync(fd)

  const progress: number[] = []
  let progressAtFirstChunk = -1
  let received = 0
  const server = http.createServer((req, res) => {
    req.once('data', () => {
      // Hold the first chunk: with streaming, backpressure stops the client
      // long before the whole file is read.
      req.pause()
      // real-world wait: the server holds the body 300 ms on a real socket
      setTimeout(() => {
        progressAtFirstChunk = progress.at(-1) ?? 0
        req.resume()
      }, 300)
    })
    req.on('data', c => (received += c.length))
    req.on('end', () => res.writeHead(201).end())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as net.AddressInfo).port
  const r = remote(`http://127.0.0.1:${port}/f1Y2lIrD/Photos`)
  await r.put('/up/big.bin', file, { onProgress: n => progress.push(n) })
  t.equal(received, size)
  t.equal(progress.at(-1), size)
  t.ok(progress.length >= 20, `${progress.length} progress reports`)
  t.ok(progress.every((n, i) => i === 0 || n > progress[i - 1]), 'progress only grows')
  t.ok(progressAtFirstChunk > 0 && progressAtFirstChunk < size / 2, `only ${progressAtFirstChunk} bytes were read while the server held the body`)
})

t.test("PUT's wait for the answer scales with the size", async t => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webdav-remote-put-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'one-mib.bin')
  fs.writeFileSync(file, Buffer.alloc(1 << 20, 5))
  // real-world wait: like the bridge, a server that answers only after "uploading to MEGA" (a real socket's bound is tested)
  const b = await bridge(t, (_req, res) => void setTimeout(() => res.writeHead(201).end(), 1200))
  // Bound after sending: 400 ms + 1 MiB / 512 KiB/s = 2400 ms.
  const patient = remote(b.base, { requestTimeoutMs: 400, uploadAnswerBytesPerSecond: 512 << 10 })
  await patient.put('/one-mib.bin', file)
  t.equal(b.seen[0].body.length, 1 << 20)
  t.equal(b.seen[0].headers['Content-Length'], String(1 << 20))
  const hasty = remote(b.base, { requestTimeoutMs: 400, uploadAnswerBytesPerSecond: 1 << 30 })
  await t.rejects(hasty.put('/one-mib.bin', file), { name: 'RemoteError', kind: 'timeout', message: /did not confirm the upload/ })
  await t.rejects(patient.put('/x', path.join(dir, 'no-such-file')), { code: 'ENOENT' })
  await t.rejects(patient.put('/x', dir), TypeError)
})

t.test('quota: RFC 4331 props when present, null from MEGA', async t => {
  const b = await bridge(t, (req, res) => {
    if (req.url.startsWith('/apache')) {
      return reply207(
        res,
        `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/apache/</D:href><D:propstat><D:prop><D:quota-available-bytes>5000</D:quota-available-bytes><D:quota-used-bytes>42</D:quota-used-bytes></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`,
      )
    }
    reply207(res, multistatus(req.headers.Host, [{ path: '/f1Y2lIrD/Photos/', dir: true }]))
  })
  t.equal(await remote(b.base).quota(), null)
  t.match(b.seen[0].body.toString(), /quota-available-bytes/)
  t.same(await remote(`http://127.0.0.1:${b.port}/apache`).quota(), { usedBytes: 42, availableBytes: 5000 })
})

t.test('a redirect that only adds the trailing slash is followed once', async t => {
  const b = await bridge(t, (req, res) => {
    if (req.url === '/dav/dir') return res.writeHead(301, { Location: `http://127.0.0.1:${(res.socket as net.Socket).localPort}/dav/dir/` }).end()
    if (req.url === '/dav/elsewhere') return res.writeHead(301, { Location: '/other/' }).end()
    reply207(res, `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/dir/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop></D:propstat></D:response><D:response><D:href>/dav/dir/f</D:href><D:propstat><D:prop><D:getcontentlength>1</D:getcontentlength></D:prop></D:propstat></D:response></D:multistatus>`)
  })
  const r = remote(`http://127.0.0.1:${b.port}/dav`)
  const listing = await r.list('/dir')
  t.same(listing.entries.map(e => e.name), ['f'])
  t.same(b.seen.map(s => s.url), ['/dav/dir', '/dav/dir/'])
  await t.rejects(r.list('/elsewhere'), { name: 'RemoteError', kind: 'other', status: 301 })
})

t.test('url, setUrl and URL validation', async t => {
  const b = await bridge(t, (req, res) => reply207(res, multistatus(req.headers.Host, [{ path: req.url + '/', dir: true }])))
  const r = remote(b.base + '/')
  t.equal(r.url, b.base, 'trailing slash dropped')
  r.setUrl(`http://127.0.0.1:${b.port}/f1Y2lIrD/Renamed%20Photos`)
  t.equal(r.url, `http://127.0.0.1:${b.port}/f1Y2lIrD/Renamed%20Photos`)
  await r.stat('/x')
  t.equal(b.seen[0].url, '/f1Y2lIrD/Renamed%20Photos/x')
  t.throws(() => r.setUrl('http://h/x?y=1'), /query string/)
  t.throws(() => new WebDavRemote({ url: b.base, requestTimeoutMs: 0 }), /requestTimeoutMs must be a positive number/)
  t.throws(() => new WebDavRemote({ url: b.base, retryBusy: { attempts: 0, baseDelayMs: 1 } }), /attempts/)
})

t.test('an abort in the middle of a download rejects with the abort reason', async t => {
  const b = await bridge(t, (_req, res) => {
    res.writeHead(206, { 'Content-Range': 'bytes 0-99/100', 'Content-Length': 100 })
    res.write(Buffer.alloc(10))
  })
  const r = remote(b.base)
  const ac = new AbortController()
  const reading = r.read('/f', 0, 100, { signal: ac.signal })
  while (b.seen.length === 0) await new Promise(resolve => setImmediate(resolve))
  ac.abort(new Error('user closed the file'))
  await t.rejects(reading, { message: 'user closed the file' })
  await t.rejects(r.list('/', { signal: AbortSignal.abort(new Error('already gone')) }), { message: 'already gone' })
  t.equal(r.stats().inFlight, 0)
})
