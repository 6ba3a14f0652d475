import t from 'tap'
import type { IncomingMessage } from 'node:http'
import { slashRedirect } from '../../src/remote/dav-requests.js'
import type { HttpResponse } from '../../src/remote/http-request.js'

const answer = (status: number, location?: string): HttpResponse => ({
  status,
  headers: location === undefined ? {} : { location },
  body: undefined as unknown as IncomingMessage,
})

t.test('slashRedirect follows only "add the trailing slash" on the same server', async t => {
  const url = new URL('http://127.0.0.1:8080/dav/My%20Dir')
  t.equal(slashRedirect(answer(301, 'http://127.0.0.1:8080/dav/My%20Dir/'), url)?.href, 'http://127.0.0.1:8080/dav/My%20Dir/')
  t.equal(slashRedirect(answer(308, '/dav/My%20Dir/'), url)?.href, 'http://127.0.0.1:8080/dav/My%20Dir/', 'relative Location')
  t.equal(slashRedirect(answer(301, 'http://127.0.0.1:8080/dav/My Dir/'), url)?.pathname, '/dav/My%20Dir/', 'compared decoded')
  t.equal(slashRedirect(answer(301, 'http://evil.example/dav/My%20Dir/'), url), null, 'another server')
  t.equal(slashRedirect(answer(301, '/dav/Other/'), url), null, 'another path')
  t.equal(slashRedirect(answer(301, '/dav/My%20Dir'), url), null, 'no slash added')
  t.equal(slashRedirect(answer(301), url), null, 'no Location')
  t.equal(slashRedirect(answer(200, '/dav/My%20Dir/'), url), null, 'not a redirect')
  t.equal(slashRedirect(answer(302, 'http://[bad'), url), null, 'unparsable Location')
})
