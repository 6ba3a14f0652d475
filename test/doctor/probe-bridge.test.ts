import http from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { probeBridge } from '../../src/doctor/probe-bridge.js'

async function server(t: Test, handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    s.closeAllConnections()
    return new Promise<void>((r) => s.close(() => r()))
  })
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`
}

t.test('PROPFIND Depth 0, one connection, 207 is ok', async (t) => {
  const seen: Array<{ method?: string; depth?: string; url?: string; connection?: string }> = []
  const base = await server(t, (req, res) => {
    seen.push({ method: req.method, depth: req.headers.depth as string, url: req.url, connection: req.headers.connection })
    res.writeHead(207, { 'Content-Type': 'application/xml' }).end('<multistatus xmlns="DAV:"/>')
  })
  t.same(await probeBridge(`${base}/f1Y2lIrD/My%20Photos`), { kind: 'ok', status: 207 })
  t.same(seen, [{ method: 'PROPFIND', depth: '0', url: '/f1Y2lIrD/My%20Photos', connection: 'close' }])
})

t.test('404 and 500 are reported with their status', async (t) => {
  let status = 404
  const base = await server(t, (_req, res) => res.writeHead(status).end())
  t.same(await probeBridge(`${base}/x/y`), { kind: 'status', status: 404 })
  status = 500
  t.same(await probeBridge(`${base}/x/y`), { kind: 'status', status: 500 })
})

t.test('refused, hung, and not a URL', async (t) => {
  const closed = await server(t, () => {})
  const hungUrl = `${closed}/never/answers`
  t.same(await probeBridge(hungUrl, 100), { kind: 'timeout', timeoutMs: 100 })
  // A port that was just free: nothing listens there.
  const tmp = http.createServer()
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r))
  const port = (tmp.address() as AddressInfo).port
  await new Promise<void>((r) => tmp.close(() => r()))
  t.equal((await probeBridge(`http://127.0.0.1:${port}/a/b`)).kind, 'refused')
  t.same(await probeBridge('not a url'), { kind: 'error', message: 'not a URL: not a url' })
})
