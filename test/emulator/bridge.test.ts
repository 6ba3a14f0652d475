import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import t, { type Test } from 'tap'
import { BridgeEmulator, type BridgeEmulatorOptions } from '../../src/emulator/bridge.js'
import { headerValue, rawRequest, type RawResponse } from '../../src/emulator/raw-request.js'

// One group per point of docs/megacmd-bridge.md, through raw sockets so header case and
// connection closing are visible.

type Tap = Test

async function setup(t: Tap, options: Partial<BridgeEmulatorOptions> = {}, tree?: Parameters<Test['testdir']>[0]) {
  const accountRoot = t.testdir(
    tree ?? {
      Photos: {
        'a.txt': 'hello world',
        'b+c %d.txt': 'x',
        'ü é.txt': 'accent',
        'has:colon.txt': 'colon',
        sub: { deeper: { 'x.txt': 'x' } },
      },
      Docs: { 'd.txt': 'docs' },
    },
  )
  const emulator = new BridgeEmulator({ accountRoot, ...options })
  await emulator.start()
  t.teardown(() => emulator.stop())
  const url = emulator.serve('/Photos')
  const base = new URL(url).pathname
  const request = (method: string, p: string, extra: Partial<Parameters<typeof rawRequest>[0]> = {}): Promise<RawResponse> =>
    rawRequest({ port: emulator.port, method, path: p, ...extra })
  return { accountRoot, emulator, url, base, request }
}

const hrefsOf = (body: Buffer): string[] => [...body.toString().matchAll(/<d:href>([^<]*)<\/d:href>/g)].map(m => m[1]!)

t.test('served URL: 8-char handle, lowercase-hex name, Cloud Drive root', async t => {
  const { emulator, url } = await setup(t)
  t.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${emulator.port}/[A-Za-z0-9_-]{8}/Photos$`))
  t.match(emulator.serve('/'), /\/[A-Za-z0-9_-]{8}\/Cloud%20Drive$/)
  fs.mkdirSync(path.join(emulator['accountRoot'], 'Ü+x'))
  t.match(emulator.serve('/Ü+x'), /\/%c3%9c%2bx$/)
  t.equal(emulator.serve('/Photos'), url, 'serving again gives the same URL')
  t.same(emulator.served().map(s => s.megaPath), ['/Photos', '/', '/Ü+x'])
  t.ok(emulator.unserve('/Ü+x'))
  t.notOk(emulator.unserve('/Ü+x'))
  t.throws(() => emulator.serve('/Missing'), /does not exist/)
})

t.test('every response closes the connection; PROPFIND/PROPPATCH/LOCK do not say so', async t => {
  const { base, request } = await setup(t)
  for (const method of ['GET', 'HEAD', 'PUT', 'MKCOL', 'DELETE', 'UNLOCK']) {
    const target = method === 'MKCOL' ? `${base}/newdir` : method === 'PUT' ? `${base}/put.txt` : method === 'DELETE' ? `${base}/put.txt` : `${base}/a.txt`
    const res = await request(method, target, { body: method === 'PUT' ? 'data' : undefined })
    t.ok(res.closedByServer, `${method} closes`)
    t.equal(headerValue(res, 'Connection'), 'close', `${method} says Connection: close`)
  }
  for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
    const res = await request(method, base)
    t.ok(res.closedByServer, `${method} closes`)
    t.equal(headerValue(res, 'Connection'), undefined, `${method} sends no Connection header`)
    t.equal(headerValue(res, 'Keep-Alive'), undefined)
  }
})

t.test('path checks: handle, name, query string', async t => {
  const { base, request } = await setup(t)
  t.equal((await request('PROPFIND', base)).status, 207)
  t.equal((await request('PROPFIND', base + '/')).status, 207)
  t.equal((await request('PROPFIND', '/AAAAAAAA/Photos')).status, 403, 'handle-shaped but not served')
  t.equal((await request('PROPFIND', '/not-a-handle/Photos')).status, 404)
  t.equal((await request('PROPFIND', '/')).status, 404)
  t.equal((await request('PROPFIND', base.replace('Photos', 'Docs'))).status, 404, 'wrong name')
  t.equal((await request('PROPFIND', base.split('/').slice(0, 2).join('/'))).status, 404, 'no name')
  t.equal((await request('PROPFIND', base + '?x=1')).status, 404, 'query string on the root')
  t.equal((await request('GET', base + '/a.txt?x=1')).status, 404, 'query string on a file')
  t.equal((await request('GET', base + '/a.txt')).status, 200)
  t.equal((await request('GET', base + '/%E0%A4')).status, 404, 'malformed escape')
})

t.test('PROPFIND: body ignored, always 207, Depth like atoi, never recursive', async t => {
  const { base, request } = await setup(t)
  const garbage = await request('PROPFIND', base, { body: '<<<not xml', headers: [['Depth', '1']] })
  t.equal(garbage.status, 207)
  t.equal(hrefsOf(garbage.body).length, 6, 'self + 5 children')
  const noDepth = await request('PROPFIND', base)
  t.equal(hrefsOf(noDepth.body).length, 6, 'no Depth header means 1')
  for (const depth of ['0', 'infinity', 'abc']) {
    const res = await request('PROPFIND', base, { headers: [['Depth', depth]] })
    t.equal(res.status, 207)
    t.equal(hrefsOf(res.body).length, 1, `Depth: ${depth} lists the node alone`)
  }
  const deep = await request('PROPFIND', base + '/sub', { headers: [['Depth', 'infinity']] })
  t.equal(hrefsOf(deep.body).length, 1)
  const one = await request('PROPFIND', base + '/sub', { headers: [['Depth', '1']] })
  t.same(hrefsOf(one.body).map(h => h.split('/').slice(-2).join('/')), ['sub/', 'sub/deeper'], 'no grandchildren')
  t.equal((await request('PROPFIND', base + '/missing')).status, 404)
  const file = await request('PROPFIND', base + '/a.txt', { headers: [['Depth', '1']] })
  t.equal(hrefsOf(file.body).length, 1)
  t.notOk(hrefsOf(file.body)[0]!.endsWith('/'), 'a file href has no slash')
})

t.test('PROPFIND properties: no etag/contenttype/quota, RFC 1123 dates, 1970 folders', async t => {
  const { base, request } = await setup(t)
  const body = (await request('PROPFIND', base)).body.toString()
  t.notMatch(body, /getetag|getcontenttype|quota/)
  const responses = body.split('<d:response>').slice(1)
  const file = responses.find(r => r.includes('/a.txt<'))!
  t.match(file, /<d:getcontentlength>11<\/d:getcontentlength>/)
  t.match(file, /<d:resourcetype\/>/)
  t.match(file, /<d:creationdate>[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT<\/d:creationdate>/)
  t.notMatch(file, /getlastmodified>Thu, 01 Jan 1970/)
  const folder = responses.find(r => r.includes('/sub<'))!
  t.match(folder, /<d:resourcetype><d:collection\/><\/d:resourcetype>/)
  t.match(folder, /<d:getlastmodified>Thu, 01 Jan 1970 00:00:00 GMT<\/d:getlastmodified>/)
  t.notMatch(folder, /getcontentlength/)
  t.match(responses[0]!, /<d:getlastmodified>Thu, 01 Jan 1970 00:00:00 GMT/, 'the served folder too')
})

t.test('displayname uses HTML entities that XML does not know', async t => {
  const { base, request } = await setup(t)
  const body = (await request('PROPFIND', base)).body.toString()
  t.match(body, /<d:displayname>b&add;c &percnt;d\.txt<\/d:displayname>/)
  t.match(body, /<d:displayname>Photos<\/d:displayname>/)
})

t.test('href: absolute from the Host header, uppercase hex, only self ends in /', async t => {
  const { emulator, base, request } = await setup(t)
  const res = await request('PROPFIND', base, { headers: [['Host', 'bridge.example:4443']] })
  const hrefs = hrefsOf(res.body)
  const handle = base.split('/')[1]
  t.equal(hrefs[0], `http://bridge.example:4443/${handle}/Photos/`)
  t.ok(hrefs.slice(1).every(h => h.startsWith(`http://bridge.example:4443/${handle}/Photos/`) && !h.endsWith('/')))
  t.ok(hrefs.includes(`http://bridge.example:4443/${handle}/Photos/b%2Bc%20%25d.txt`))
  t.ok(hrefs.includes(`http://bridge.example:4443/${handle}/Photos/%C3%BC%20%C3%A9.txt`), 'uppercase hex')
  t.ok(hrefs.includes(`http://bridge.example:4443/${handle}/Photos/sub`), 'child folder without slash')
  const own = await request('PROPFIND', base, { headers: [['Depth', '0']] })
  t.equal(hrefsOf(own.body)[0], `http://127.0.0.1:${emulator.port}/${handle}/Photos/`)
})

t.test("a name with ':' is listed but cannot be fetched", async t => {
  const { base, request } = await setup(t)
  const listing = await request('PROPFIND', base)
  t.ok(hrefsOf(listing.body).some(h => h.endsWith('/has%3Acolon.txt')))
  t.equal((await request('GET', base + '/has%3Acolon.txt')).status, 404)
  t.equal((await request('GET', base + '/has:colon.txt')).status, 404)
  t.equal((await request('HEAD', base + '/has%3Acolon.txt')).status, 404)
})

t.test('duplicate names: two entries, same href, a folder wins', async t => {
  const { emulator, base, request } = await setup(t)
  emulator.addDuplicate('/Photos/a.txt', 'file', 99)
  const hrefs = hrefsOf((await request('PROPFIND', base)).body)
  t.equal(hrefs.filter(h => h.endsWith('/Photos/a.txt')).length, 2, 'listed twice with one href')
  const body = (await request('PROPFIND', base)).body.toString()
  t.match(body, /<d:getcontentlength>99</)
  const got = await request('GET', base + '/a.txt')
  t.equal(got.body.toString(), 'hello world', 'the real file answers')

  emulator.addDuplicate('/Photos/sub/deeper/x.txt', 'folder')
  const deeper = base + '/sub/deeper'
  const deeperHrefs = hrefsOf((await request('PROPFIND', deeper)).body)
  t.equal(deeperHrefs.filter(h => h.endsWith('/x.txt')).length, 2)
  const reached = await request('PROPFIND', deeper + '/x.txt', { headers: [['Depth', '0']] })
  t.match(reached.body.toString(), /<d:collection\/>/, 'the folder wins')
  t.throws(() => emulator.addDuplicate('/Photos/none', 'file'), /does not exist/)
})

t.test('GET/HEAD headers: Accept-Ranges, no ETag, no Last-Modified', async t => {
  const { base, request } = await setup(t)
  for (const method of ['GET', 'HEAD']) {
    const res = await request(method, base + '/a.txt')
    t.equal(res.status, 200)
    t.equal(headerValue(res, 'Accept-Ranges'), 'bytes')
    t.equal(headerValue(res, 'ETag'), undefined)
    t.equal(headerValue(res, 'Last-Modified'), undefined)
    t.equal(headerValue(res, 'Content-Length'), '11')
    t.equal(res.body.length, method === 'GET' ? 11 : 0)
  }
  t.equal((await request('GET', base + '/missing.txt')).status, 404)
  const page = await request('GET', base + '/sub')
  t.equal(page.status, 200, 'a folder gets an HTML page')
  t.match(page.body.toString(), /deeper/)
})

t.test('Range: only the exact header name, only bytes=a-b and bytes=a-', async t => {
  const { base, request } = await setup(t)
  const file = base + '/a.txt' // 'hello world', 11 bytes
  const ranged = await request('GET', file, { headers: [['Range', 'bytes=2-4']] })
  t.equal(ranged.status, 206)
  t.equal(ranged.body.toString(), 'llo')
  t.equal(headerValue(ranged, 'Content-Range'), 'bytes 2-4/11')
  const open = await request('GET', file, { headers: [['Range', 'bytes=6-']] })
  t.equal(open.status, 206)
  t.equal(open.body.toString(), 'world')
  const lower = await request('GET', file, { headers: [['range', 'bytes=2-4']] })
  t.equal(lower.status, 200, 'lower-case range is ignored')
  t.equal(lower.body.toString(), 'hello world')
  const upper = await request('GET', file, { headers: [['RANGE', 'bytes=2-4']] })
  t.equal(upper.status, 200)
  const suffix = await request('GET', file, { headers: [['Range', 'bytes=-3']] })
  t.equal(suffix.status, 200, 'suffix range falls back to the whole file')
  t.equal(suffix.body.toString(), 'hello world')
  const past = await request('GET', file, { headers: [['Range', 'bytes=11-20']] })
  t.equal(past.status, 416)
  t.equal(headerValue(past, 'Content-Range'), 'bytes */11')
  for (const whole of ['bytes=0-', 'bytes=0-10', 'bytes=0-500']) {
    const res = await request('GET', file, { headers: [['Range', whole]] })
    t.equal(res.status, 200, `${whole} covers the file: 200`)
    t.equal(res.body.toString(), 'hello world')
  }
  const beyond = await request('GET', file, { headers: [['Range', 'bytes=3-500']] })
  t.equal(beyond.status, 206)
  t.equal(beyond.body.toString(), 'lo world')
})

t.test('PUT: body kept outside the account, 201 only once it is in place', async t => {
  const uploadTempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-upload-'))
  t.teardown(() => fs.rmSync(uploadTempDir, { recursive: true, force: true }))
  const { accountRoot, base, emulator } = await setup(t, { uploadTempDir })
  const target = path.join(accountRoot, 'Photos', 'big.bin')
  const socket = net.connect(emulator.port, '127.0.0.1')
  const received: Buffer[] = []
  socket.on('data', d => received.push(d))
  const closed = new Promise(resolve => socket.on('close', resolve))
  await new Promise(resolve => socket.on('connect', resolve))
  socket.write(`PUT ${base}/big.bin HTTP/1.1\r\nHost: 127.0.0.1:${emulator.port}\r\nContent-Length: 10\r\n\r\nfirst`)
  // Wait for the first half to reach the temporary file.
  for (let i = 0; i < 200 && !fs.readdirSync(uploadTempDir).some(f => fs.statSync(path.join(uploadTempDir, f)).size === 5); i++) {
    await new Promise(resolve => setTimeout(resolve, 10)) // real-world wait: the server writes the temporary file
  }
  t.equal(fs.readdirSync(uploadTempDir).length, 1, 'the body waits outside the account')
  t.notOk(fs.existsSync(target), 'nothing in the account yet')
  t.equal(Buffer.concat(received).length, 0, 'no answer yet')
  socket.write('-last')
  await closed
  t.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 201 /)
  t.equal(fs.readFileSync(target, 'utf8'), 'first-last')
  t.same(fs.readdirSync(uploadTempDir), [], 'temporary file moved away')
  t.throws(() => new BridgeEmulator({ accountRoot, uploadTempDir: path.join(accountRoot, 'tmp') }), /inside the account/)
})

t.test('PUT: 409 missing parent, 412 with Overwrite: F, mtime is upload time; PROPPATCH changes nothing', async t => {
  const { accountRoot, base, request } = await setup(t)
  t.equal((await request('PUT', base + '/nope/x.txt', { body: 'x' })).status, 409)
  t.equal((await request('PUT', base + '/a.txt', { body: 'new', headers: [['Overwrite', 'F']] })).status, 412)
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/a.txt'), 'utf8'), 'hello world')
  const old = new Date('2001-02-03T04:05:06Z')
  fs.utimesSync(path.join(accountRoot, 'Photos/a.txt'), old, old)
  const before = Date.now()
  t.equal((await request('PUT', base + '/a.txt', { body: 'new' })).status, 201, 'overwrite')
  const stats = fs.statSync(path.join(accountRoot, 'Photos/a.txt'))
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/a.txt'), 'utf8'), 'new')
  t.ok(stats.mtimeMs >= before - 1000, 'modification time is the upload time')
  fs.utimesSync(path.join(accountRoot, 'Photos/a.txt'), old, old)
  const patch = await request('PROPPATCH', base + '/a.txt', {
    body: '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:getlastmodified>Mon, 01 Jan 2024 00:00:00 GMT</d:getlastmodified></d:prop></d:set></d:propertyupdate>',
  })
  t.equal(patch.status, 207)
  t.equal(fs.statSync(path.join(accountRoot, 'Photos/a.txt')).mtimeMs, old.getTime(), 'PROPPATCH changed nothing')
  t.equal((await request('PUT', base + '/sub', { body: 'x' })).status, 409, 'a folder is in the way')
  t.equal((await request('PUT', base + '/empty.txt', { body: '' })).status, 201)
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/empty.txt'), 'utf8'), '')
})

t.test('DELETE is permanent; MKCOL 201/405/409', async t => {
  const { accountRoot, base, request } = await setup(t)
  t.equal((await request('DELETE', base + '/sub')).status, 204)
  t.notOk(fs.existsSync(path.join(accountRoot, 'Photos/sub')), 'gone from disk, no rubbish bin')
  t.equal((await request('DELETE', base + '/sub')).status, 404)
  t.equal((await request('MKCOL', base + '/made')).status, 201)
  t.ok(fs.statSync(path.join(accountRoot, 'Photos/made')).isDirectory())
  t.equal((await request('MKCOL', base + '/made')).status, 405)
  t.equal((await request('MKCOL', base + '/a.txt')).status, 405)
  t.equal((await request('MKCOL', base + '/no/such')).status, 409)
  // At the same moment (two deletes making the same trash folder): one
  // creates it, the others are told it exists, as MEGAcmd does; never 500.
  const statuses = await Promise.all(Array.from({ length: 8 }, () => request('MKCOL', base + '/race').then(r => r.status)))
  t.same(statuses.sort(), [201, 405, 405, 405, 405, 405, 405, 405], 'concurrent MKCOL of one name')
})

t.test('MOVE and COPY: Destination rules, 502/409/412', async t => {
  const { accountRoot, emulator, base, request } = await setup(t)
  const origin = `http://127.0.0.1:${emulator.port}`
  const dest = (p: string) => [['Destination', origin + base + p]] as Array<[string, string]>
  t.equal((await request('MOVE', base + '/a.txt', { headers: [['Destination', `http://localhost:${emulator.port}${base}/m.txt`]] })).status, 502, 'other host spelling')
  t.equal((await request('MOVE', base + '/a.txt', { headers: [['Destination', `${base}/m.txt`]] })).status, 502, 'relative destination')
  t.equal((await request('MOVE', base + '/a.txt')).status, 502, 'no destination')
  const docs = new URL(emulator.serve('/Docs')).pathname
  t.equal((await request('MOVE', base + '/a.txt', { headers: [['Destination', origin + docs + '/a.txt']] })).status, 502, 'other served folder')
  t.equal((await request('MOVE', base + '/sub', { headers: dest('/moved/') })).status, 409, 'trailing slash')
  t.ok(fs.existsSync(path.join(accountRoot, 'Photos/sub')))
  t.equal((await request('MOVE', base + '/a.txt', { headers: dest('/no/m.txt') })).status, 409, 'missing parent')
  t.equal((await request('MOVE', base + '/missing', { headers: dest('/m.txt') })).status, 404)

  t.equal((await request('MOVE', base + '/sub', { headers: dest('/moved') })).status, 204)
  t.ok(fs.existsSync(path.join(accountRoot, 'Photos/moved/deeper/x.txt')))
  t.equal((await request('COPY', base + '/a.txt', { headers: dest('/copy.txt') })).status, 201)
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/copy.txt'), 'utf8'), 'hello world')
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/a.txt'), 'utf8'), 'hello world')

  t.equal((await request('MOVE', base + '/b%2Bc%20%25d.txt', { headers: [...dest('/copy.txt'), ['Overwrite', 'F']] })).status, 412)
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/copy.txt'), 'utf8'), 'hello world')
  t.equal((await request('MOVE', base + '/b%2Bc%20%25d.txt', { headers: dest('/copy.txt') })).status, 204, 'replaces')
  t.equal(fs.readFileSync(path.join(accountRoot, 'Photos/copy.txt'), 'utf8'), 'x')
  t.equal((await request('COPY', base + '/moved', { headers: dest('/moved2') })).status, 201)
  t.ok(fs.existsSync(path.join(accountRoot, 'Photos/moved2/deeper/x.txt')))
  const upperHex = `${origin}${base}/%C3%BC%20%C3%A9-2.txt`
  t.equal((await request('COPY', base + '/%c3%bc%20%c3%a9.txt', { headers: [['Destination', upperHex]] })).status, 201)
  t.ok(fs.existsSync(path.join(accountRoot, 'Photos/ü é-2.txt')))
})

t.test('LOCK answers a fake lock, UNLOCK 204', async t => {
  const { base, request } = await setup(t)
  const lock = await request('LOCK', base + '/a.txt', { body: '<?xml version="1.0"?><d:lockinfo xmlns:d="DAV:"/>' })
  t.equal(lock.status, 200)
  t.match(headerValue(lock, 'Lock-Token') ?? '', /^<urn:uuid:[0-9a-f-]+>$/)
  t.match(lock.body.toString(), /<d:lockdiscovery>/)
  t.equal((await request('UNLOCK', base + '/a.txt', { headers: [['Lock-Token', '<urn:uuid:whatever>']] })).status, 204)
})

t.test('the port refuses connections at first (refuseConnectionsForMs)', async t => {
  const accountRoot = t.testdir({ Photos: {} })
  const emulator = new BridgeEmulator({ accountRoot, refuseConnectionsForMs: 300 })
  await emulator.start()
  t.teardown(() => emulator.stop())
  const base = new URL(emulator.serve('/Photos')).pathname
  t.ok(emulator.port > 0, 'the port is known while refusing')
  await t.rejects(rawRequest({ port: emulator.port, method: 'PROPFIND', path: base }), { code: 'ECONNREFUSED' })
  await emulator.listening()
  t.equal((await rawRequest({ port: emulator.port, method: 'PROPFIND', path: base })).status, 207)
})

t.test("mode 'hang': requests are read and never answered", async t => {
  const { emulator, base, request } = await setup(t)
  await emulator.setMode('hang')
  await t.rejects(request('PROPFIND', base, { timeoutMs: 300 }), /no complete answer/)
  t.equal(emulator.requests.at(-1)?.status, 0, 'logged as unanswered')
  await emulator.setMode('normal')
  t.equal((await request('PROPFIND', base)).status, 207)
})

t.test("mode 'logged-out': 404 for every path", async t => {
  const { emulator, base, request } = await setup(t)
  await emulator.setMode('logged-out')
  t.equal((await request('PROPFIND', base)).status, 404)
  t.equal((await request('GET', base + '/a.txt')).status, 404)
  t.equal((await request('PUT', base + '/x.txt', { body: 'x' })).status, 404)
  await emulator.setMode('normal')
  t.equal((await request('PROPFIND', base)).status, 207)
})

t.test("mode 'down': connections refused, then back on the same port", async t => {
  const { emulator, base, request } = await setup(t)
  const port = emulator.port
  await emulator.setMode('down')
  await t.rejects(request('PROPFIND', base), { code: 'ECONNREFUSED' })
  await emulator.setMode('normal')
  t.equal(emulator.port, port)
  t.equal((await request('PROPFIND', base)).status, 207)
})

t.test('failNext answers the next requests of a method with a status', async t => {
  const { base, request } = await setup(t)
  const { emulator } = await setup(t)
  emulator.failNext('PUT', 507)
  emulator.failNext('get', 503, 2)
  const b = new URL(emulator.served()[0]!.url).pathname
  const req = (m: string, p: string, body?: string) => rawRequest({ port: emulator.port, method: m, path: p, body })
  t.equal((await req('PUT', b + '/x.txt', 'data')).status, 507)
  t.equal((await req('PUT', b + '/x.txt', 'data')).status, 201)
  t.equal((await req('GET', b + '/a.txt')).status, 503)
  t.equal((await req('GET', b + '/a.txt')).status, 503)
  t.equal((await req('GET', b + '/a.txt')).status, 200)
  t.equal((await request('GET', base + '/a.txt')).status, 200, 'other emulators unaffected')
  emulator.failNext('GET', 500, 100)
  t.equal((await req('GET', b + '/a.txt')).status, 500)
  emulator.failNext('GET', 500, 0)
  t.equal((await req('GET', b + '/a.txt')).status, 200, 'a count of 0 ends the planned failures')
})

t.test('setBodyFault: GET answers whose body is not the bytes asked for', async t => {
  const { emulator, base, request } = await setup(t, {}, { Photos: { 'f.bin': '0123456789abcdef' } })
  const get = (range?: string) => request('GET', base + '/f.bin', { headers: range ? [['Range', range]] : [] })

  emulator.setBodyFault('short-body')
  let res = await get('bytes=2-9')
  t.equal(res.status, 206)
  t.equal(headerValue(res, 'Content-Range'), 'bytes 2-9/16', 'the range promised is the one asked for')
  t.equal(headerValue(res, 'Content-Length'), '4', 'the length matches the body')
  t.equal(res.body.toString(), '2345', 'half of the range')
  res = await get()
  t.equal(res.status, 200)
  t.equal(res.body.toString(), '01234567', 'a whole-file answer is cut too')

  emulator.setBodyFault('range-mismatch')
  res = await get('bytes=2-9')
  t.equal(headerValue(res, 'Content-Range'), 'bytes 2-9/16')
  t.equal(headerValue(res, 'Content-Length'), undefined, 'no length: only the body says how long it is')
  t.equal(headerValue(res, 'Transfer-Encoding'), 'chunked')
  t.match(res.body.toString(), /2345/)
  t.notMatch(res.body.toString(), /6789/)

  emulator.setBodyFault('short-range')
  res = await get('bytes=2-9')
  t.equal(res.status, 206)
  t.equal(headerValue(res, 'Content-Range'), 'bytes 2-5/16', 'honest about sending less than asked')
  t.equal(res.body.toString(), '2345')

  emulator.setBodyFault('gzip', 1)
  res = await get('bytes=2-9')
  t.equal(headerValue(res, 'Content-Encoding'), 'gzip')
  t.equal(zlib.gunzipSync(res.body).toString(), '23456789', 'the right bytes, compressed')
  res = await get('bytes=2-9')
  t.equal(res.body.toString(), '23456789', 'a count of 1 breaks one answer only')

  emulator.setBodyFault('short-body')
  emulator.setBodyFault(null)
  t.equal((await get('bytes=2-9')).body.toString(), '23456789', 'null: honest again')
  t.equal((await request('HEAD', base + '/f.bin')).status, 200)
  t.throws(() => emulator.setBodyFault('bogus' as never), /unknown fault bogus/)
})

t.test('rename changes the URL, not the handle', async t => {
  const { accountRoot, emulator, base, request } = await setup(t)
  emulator.addDuplicate('/Photos/a.txt', 'file', 1)
  emulator.rename('/Photos', 'Pictures 2')
  t.ok(fs.existsSync(path.join(accountRoot, 'Pictures 2/a.txt')))
  t.equal((await request('PROPFIND', base)).status, 404, 'old URL')
  const [served] = emulator.served()
  t.equal(served!.megaPath, '/Pictures 2')
  t.equal(served!.url.split('/')[3], base.split('/')[1], 'same handle')
  t.match(served!.url, /\/Pictures%202$/)
  const listing = await request('PROPFIND', new URL(served!.url).pathname)
  t.equal(listing.status, 207)
  t.equal(hrefsOf(listing.body).filter(h => h.endsWith('/a.txt')).length, 2, 'duplicates follow the rename')
  t.throws(() => emulator.rename('/', 'x'), /root/)
  t.throws(() => emulator.rename('/Docs', 'a/b'), /not a valid name/)
})

t.test('request log and stats', async t => {
  const { emulator, base, request } = await setup(t)
  emulator.resetLog()
  await request('PROPFIND', base)
  await request('GET', base + '/a.txt', { headers: [['Range', 'bytes=1-2']] })
  await request('GET', base + '/a.txt', { headers: [['range', 'bytes=1-2']] })
  await request('PUT', base + '/n.txt', { body: 'abc' })
  t.same(emulator.stats(), { getCount: 2, rangedGetCount: 1, fullGetCount: 1, propfindCount: 1, putCount: 1 })
  const get = emulator.requests[1]!
  t.equal(get.method, 'GET')
  t.equal(get.path, base + '/a.txt')
  t.equal(get.status, 206)
  t.equal(get.bytesSent, 2)
  t.ok(get.rawHeaders.includes('Range'), 'raw header names keep their case')
  t.ok(emulator.requests[2]!.rawHeaders.includes('range'))
  emulator.resetLog()
  t.same(emulator.requests, [])
  t.equal(emulator.stats().getCount, 0)
})

t.test('latency delays every answer', async t => {
  const { base, request } = await setup(t, { latencyMs: 150 })
  const started = Date.now()
  t.equal((await request('PROPFIND', base)).status, 207)
  t.ok(Date.now() - started >= 140)
})

t.test('bandwidth cap paces bodies', async t => {
  const { base, request, accountRoot } = await setup(t, { bandwidthBytesPerSec: 400_000 })
  fs.writeFileSync(path.join(accountRoot, 'Photos/big.bin'), Buffer.alloc(200_000, 7))
  const started = Date.now()
  const res = await request('GET', base + '/big.bin')
  t.equal(res.body.length, 200_000)
  t.ok(Date.now() - started >= 400, 'about half a second for 200 kB at 400 kB/s')
  t.equal((await request('PUT', base + '/up.bin', { body: Buffer.alloc(50_000, 1) })).status, 201)
})

t.test('a 10,000-entry folder and hundreds of concurrent connections', async t => {
  const { accountRoot, base, request, emulator } = await setup(t)
  const big = path.join(accountRoot, 'Photos/big')
  fs.mkdirSync(big)
  for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(big, `f${i}.txt`), '')
  const listing = await request('PROPFIND', base + '/big', { timeoutMs: 60_000 })
  t.equal(hrefsOf(listing.body).length, 10_001)
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      rawRequest({ port: emulator.port, method: 'GET', path: base + '/a.txt', headers: [['Range', `bytes=${i % 5}-${(i % 5) + 2}`]], timeoutMs: 60_000 }),
    ),
  )
  t.ok(answers.every(a => a.status === 206 && a.body.length === 3))
})

t.test('the state file: written on changes, edits taken up on the next request', async t => {
  const stateFile = path.join(t.testdir(), 'state.json')
  const { emulator, accountRoot } = await setup(t, { stateFile, email: 'me@example.org', storageTotalBytes: 1000 })
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'))
  t.match(state, { version: 1, running: true, listening: true, port: emulator.port, accountRoot, loggedIn: true, email: 'me@example.org', storageTotalBytes: 1000 })
  t.same(state.served.map((s: { megaPath: string }) => s.megaPath), ['/Photos'])

  // An edit as a stand-in command makes it: serve /Docs, drop /Photos.
  const docsHandle = emulator.serve('/Docs').split('/')[3]
  emulator.unserve('/Docs')
  state.served = [{ megaPath: '/Docs', handle: docsHandle }]
  fs.writeFileSync(stateFile + '.tmp', JSON.stringify(state))
  fs.renameSync(stateFile + '.tmp', stateFile)
  const docs = await rawRequest({ port: emulator.port, method: 'PROPFIND', path: `/${docsHandle}/Docs` })
  t.equal(docs.status, 207)
  t.same(emulator.served().map(s => s.megaPath), ['/Docs'])

  state.loggedIn = false
  fs.writeFileSync(stateFile + '.tmp', JSON.stringify(state))
  fs.renameSync(stateFile + '.tmp', stateFile)
  t.equal((await rawRequest({ port: emulator.port, method: 'PROPFIND', path: `/${docsHandle}/Docs` })).status, 404)
  t.equal(emulator.getMode(), 'logged-out')
  await emulator.setMode('normal')
  t.equal(JSON.parse(fs.readFileSync(stateFile, 'utf8')).loggedIn, true)
  await emulator.setMode('down')
  t.equal(JSON.parse(fs.readFileSync(stateFile, 'utf8')).listening, false)
  await emulator.stop()
  t.equal(JSON.parse(fs.readFileSync(stateFile, 'utf8')).running, false)
})

t.test('bad options get clear messages', async t => {
  t.throws(() => new BridgeEmulator({ accountRoot: '' }), /accountRoot/)
  t.throws(() => new BridgeEmulator({ accountRoot: path.join(t.testdir(), 'missing') }), /does not exist/)
  const accountRoot = t.testdir()
  const emulator = new BridgeEmulator({ accountRoot })
  await t.rejects(emulator.setMode('sleepy' as never), /unknown mode/)
})
