import t from 'tap'
import { parseServedLocations, parseServeOutput } from '../../src/megacmd/parse-webdav.js'

t.test('listing with a padded header, paths holding ": " and the root', async (t) => {
  const out = [
    'WEBDAV SERVED LOCATIONS:                                                        ',
    '/Photos: http://127.0.0.1:4443/f1Y2lIrD/Photos',
    '/Work: notes: http://127.0.0.1:4443/Ab-_9xYz/Work%3a%20notes',
    '/Odd: http stuff: http://127.0.0.1:4443/QQQQqqqq/Odd%3a%20http%20stuff',
    '  /Indented: http://127.0.0.1:4443/IIIIiiii/Indented   ',
    '/: http://127.0.0.1:4443/rootHND1/Cloud%20Drive',
    '',
  ].join('\n')
  t.same(parseServedLocations(out), [
    { megaPath: '/Photos', url: 'http://127.0.0.1:4443/f1Y2lIrD/Photos' },
    { megaPath: '/Work: notes', url: 'http://127.0.0.1:4443/Ab-_9xYz/Work%3a%20notes' },
    { megaPath: '/Odd: http stuff', url: 'http://127.0.0.1:4443/QQQQqqqq/Odd%3a%20http%20stuff' },
    { megaPath: '/Indented', url: 'http://127.0.0.1:4443/IIIIiiii/Indented' },
    { megaPath: '/', url: 'http://127.0.0.1:4443/rootHND1/Cloud%20Drive' },
  ])
})

t.test('CRLF line ends and an https (--tls) bridge', async (t) => {
  t.same(parseServedLocations('WEBDAV SERVED LOCATIONS:\r\n/A: https://127.0.0.1:4443/AAAAaaaa/A\r\n'), [
    { megaPath: '/A', url: 'https://127.0.0.1:4443/AAAAaaaa/A' },
  ])
})

t.test('nothing served', async (t) => {
  t.same(parseServedLocations('No webdav links found\n'), [])
  t.same(parseServedLocations('Webdav server might not running. Add a new location to serve.\n'), [])
  t.same(parseServedLocations(''), [])
})

t.test('lines that are not locations are ignored', async (t) => {
  t.same(parseServedLocations('WEBDAV SERVED LOCATIONS:\nsome status line\n/X: not a url\n'), [])
})

t.test('serve output', async (t) => {
  t.equal(
    parseServeOutput('Serving via webdav /Photos: http://127.0.0.1:4443/f1Y2lIrD/Photos\n'),
    'http://127.0.0.1:4443/f1Y2lIrD/Photos',
  )
  t.equal(
    parseServeOutput('Serving via webdav /A: b: http://127.0.0.1:4443/AAAAaaaa/A%3a%20b'),
    'http://127.0.0.1:4443/AAAAaaaa/A%3a%20b',
  )
  t.equal(parseServeOutput('/Photos no longer served via webdav'), null)
  t.equal(parseServeOutput(''), null)
})
