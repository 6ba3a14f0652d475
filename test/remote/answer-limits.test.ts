// Issue 9, point 12: a PROPFIND answer of 1.1 GB grew the daemon to 2.36 GB,
// and 200,000 nested elements froze it for 85 s. These node:http servers
// send such answers; the listing must fail with a clear error after reading
// no more than the cap (plus the piece in hand), and the remote must keep
// working for the next, sane answer.
import http from 'node:http'
import net from 'node:net'
import t from 'tap'
import { FsError } from '../../src/errors.js'
import { createLogger } from '../../src/log.js'
import { MAX_PROPFIND_ANSWER_BYTES, WebDavRemote } from '../../src/remote/webdav-remote.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { testOptions } from '../helpers/fake-remote.js'
import { ManualTime } from '../helpers/manual-time.js'

type Answer = (res: http.ServerResponse) => void

/** Serves the answers in turn, one per request, then repeats the last. */
async function server(t: { teardown: (fn: () => void) => void }, answers: Answer[]) {
  let served = 0
  const srv = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => answers[Math.min(served++, answers.length - 1)](res))
  })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    srv.closeAllConnections()
    srv.close()
  })
  return `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}/f1Y2lIrD/Photos`
}

const entry = (path: string, dir: boolean) =>
  `<d:response><d:href>${path}</d:href><d:propstat><d:status>HTTP/1.1 200 OK</d:status><d:prop>` +
  (dir ? '<d:resourcetype><d:collection/></d:resourcetype>' : '<d:resourcetype/><d:getcontentlength>3</d:getcontentlength>') +
  '</d:prop></d:propstat></d:response>'

const sane: Answer = res => {
  res.writeHead(207, { 'Content-Type': 'text/xml' })
  res.end(`<d:multistatus xmlns:d="DAV:">${entry('/f1Y2lIrD/Photos/', true)}${entry('/f1Y2lIrD/Photos/a.jpg', false)}</d:multistatus>`)
}

/** A valid answer that goes on for `totalBytes`, without Content-Length
 *  (chunked), written as fast as the client reads it. */
const oversized =
  (totalBytes: number): Answer =>
  res => {
    res.writeHead(207, { 'Content-Type': 'text/xml' })
    res.write(`<d:multistatus xmlns:d="DAV:">${entry('/f1Y2lIrD/Photos/', true)}`)
    const piece = Array.from({ length: 500 }, (_, i) => entry(`/f1Y2lIrD/Photos/file-${i}.jpg`, false)).join('')
    let sent = 0
    const more = () => {
      while (sent < totalBytes) {
        sent += piece.length
        if (!res.write(piece)) return void res.once('drain', more)
      }
      res.end('</d:multistatus>')
    }
    res.on('error', () => {})
    more()
  }

t.test('an answer past the byte cap fails the listing after reading at most the cap and one piece', async t => {
  const maxAnswerBytes = 1024 * 1024
  const url = await server(t, [oversized(64 * 1024 * 1024), sane])
  const remote = new WebDavRemote({ url, maxAnswerBytes })
  await t.rejects(remote.list('/'), {
    name: 'RemoteError',
    kind: 'bad-reply',
    message: /^PROPFIND \/: the answer from 127\.0\.0\.1:\d+ is more than 1 MiB, over the 1 MiB megamount reads for one folder listing \(a folder of 100,000 files takes about 40 MiB\): split the folder into smaller ones/,
  })
  const read = remote.stats().listingBytes
  t.ok(read > maxAnswerBytes && read <= maxAnswerBytes + 64 * 1024, `read ${read} bytes of the 64 MiB answer`)
  const listing = await remote.list('/')
  t.same(listing.entries.map(e => e.name), ['a.jpg'], 'the next answer is read as usual')
})

t.test('a Content-Length past the cap is refused before reading', async t => {
  t.equal(MAX_PROPFIND_ANSWER_BYTES, 256 * 1024 * 1024)
  const url = await server(t, [
    res => {
      // Declares 1.1 GB, sends a little and then nothing: reading would wait.
      res.writeHead(207, { 'Content-Type': 'text/xml', 'Content-Length': 1_181_116_006 })
      res.write('<d:multistatus xmlns:d="DAV:">')
    },
    sane,
  ])
  const remote = new WebDavRemote({ url, requestTimeoutMs: 3000 })
  await t.rejects(remote.list('/Trips/2024'), {
    kind: 'bad-reply',
    message: /^PROPFIND \/Trips\/2024: the answer from 127\.0\.0\.1:\d+ is 1,126 MiB \(its Content-Length\), over the 256 MiB megamount reads for one folder listing/,
  })
  t.equal(remote.stats().listingBytes, 0, 'not a byte of the body was read')
  t.equal((await remote.stat('/')).isDir, true, 'the next answer is read as usual')
})

t.test('200,000 nested elements stop the parse and the download at the first piece', async t => {
  const levels = 200_000
  const body = '<d:multistatus xmlns:d="DAV:">' + '<d:x>'.repeat(levels) + '</d:x>'.repeat(levels) + '</d:multistatus>'
  const url = await server(t, [
    res => {
      res.on('error', () => {})
      res.writeHead(207, { 'Content-Type': 'text/xml' })
      res.end(body)
    },
    sane,
  ])
  const remote = new WebDavRemote({ url })
  await t.rejects(remote.list('/'), { kind: 'bad-reply', message: /^PROPFIND \/: the answer from 127\.0\.0\.1:\d+ nests elements more than 64 deep/ })
  const read = remote.stats().listingBytes
  t.ok(read <= 256 * 1024, `read ${read} of ${body.length} bytes`)
  t.same((await remote.list('/')).entries.map(e => e.name), ['a.jpg'])
})

t.test('through the filesystem core: the folder answers EIO with the reason in the log, the rest of the mount works', async t => {
  const big = oversized(16 * 1024 * 1024)
  const url = await server(t, [big, sane])
  const lines: Array<{ level: number; msg: string; err?: { message: string } }> = []
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) })
  const remote = new WebDavRemote({ url, maxAnswerBytes: 1024 * 1024, logger })
  const fs = new MegaFs({ remote, options: testOptions(), logger, time: new ManualTime(), stateDir: '/nonexistent' })
  const err = await fs.readdir('/Big').then(
    () => null,
    (e: unknown) => e,
  )
  t.ok(err instanceof FsError, 'an FsError, not a crash')
  t.equal((err as FsError).code, 'EIO')
  t.match((err as FsError).message, /^list \/Big: PROPFIND \/Big: the answer from .* is more than 1 MiB, over the 1 MiB megamount reads for one folder listing .*split the folder/)
  const warned = lines.find(l => l.level === 40 && l.msg === 'remote failed')
  t.match(warned?.err?.message, /PROPFIND \/Big: .*split the folder/, 'the log says which folder and what to do')
  t.same((await fs.readdir('/')).names.filter(n => n !== '.' && n !== '..'), ['a.jpg'], 'the next folder lists')
})
