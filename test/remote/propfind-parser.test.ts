import t from 'tap'
import { RemoteError } from '../../src/remote/remote.js'
import { findSelf, MAX_LISTING_ENTRIES, MAX_XML_DEPTH, MultistatusReader, parseMultistatus, toListing, unescapeXmlText } from '../../src/remote/propfind-parser.js'

// Written by hand from what the bridge's source builds: lower-case 'd:'
// prefix, absolute hrefs from the Host header escaped with uppercase hex,
// only the listed folder's own href ending in '/', folders at 1970,
// RFC 1123 creationdate, no getetag, HTML entities in displayname.
const MEGA_BASE = 'http://127.0.0.1:4443/f1Y2lIrD/Photos'
const megaResponse = (href: string, displayname: string, props: string) => `<d:response>
<d:href>${href}</d:href>
<d:propstat>
<d:status>HTTP/1.1 200 OK</d:status>
<d:prop>
<d:displayname>${displayname}</d:displayname>
${props}
</d:prop>
</d:propstat>
</d:response>`
const megaFolder = (href: string, name: string) =>
  megaResponse(href, name, `<d:creationdate>Mon, 03 Jun 2024 10:00:00 GMT</d:creationdate>
<d:getlastmodified>Thu, 01 Jan 1970 00:00:00 GMT</d:getlastmodified>
<d:resourcetype><d:collection/></d:resourcetype>`)
const megaFile = (href: string, name: string, size: number) =>
  megaResponse(href, name, `<d:creationdate>Tue, 04 Jun 2024 11:00:00 GMT</d:creationdate>
<d:getlastmodified>Wed, 05 Jun 2024 12:30:00 GMT</d:getlastmodified>
<d:resourcetype/>
<d:getcontentlength>${size}</d:getcontentlength>`)

const MEGA_LISTING = `<?xml version="1.0" encoding="utf-8" ?>
<d:multistatus xmlns:d="DAV:">
${megaFolder(`${MEGA_BASE}/`, 'Photos')}
${megaFile(`${MEGA_BASE}/a%2Bb%20%25.txt`, 'a&add;b &percnt;.txt', 12)}
${megaFolder(`${MEGA_BASE}/Trips`, 'Trips')}
${megaFile(`${MEGA_BASE}/caf%C3%A9%20%26%20%22quotes%22%20%23%3F.jpg`, 'caf&eacute; &amp; &quot;quotes&quot; #?.jpg', 3)}
${megaFile(`${MEGA_BASE}/dup.txt`, 'dup.txt', 5)}
${megaFolder(`${MEGA_BASE}/dup.txt`, 'dup.txt')}
${megaFile(`${MEGA_BASE}/dup.txt`, 'dup.txt', 7)}
${megaFile(`${MEGA_BASE}/twice`, 'twice', 1)}
${megaFile(`${MEGA_BASE}/twice`, 'twice', 2)}
${megaFile(`${MEGA_BASE}/a%2Fb`, 'a/b', 4)}
${megaFile(`${MEGA_BASE}/time%3A12%3A00`, 'time:12:00', 9)}
</d:multistatus>`

t.test('MEGA bridge listing: names from hrefs, folders by resourcetype, duplicates', async t => {
  const url = new URL(MEGA_BASE)
  const parsed = parseMultistatus(MEGA_LISTING, url)
  t.equal(parsed.dropped, 1, 'the name holding a / is dropped')
  const listing = toListing(parsed, ['f1Y2lIrD', 'Photos'], '', url)
  t.same(listing.self, { name: '', isDir: true, size: 0, mtimeMs: null, ctimeMs: Date.UTC(2024, 5, 3, 10), etag: null })
  const byName = new Map(listing.entries.map(e => [e.name, e]))
  t.same([...byName.keys()].sort(), ['Trips', 'a+b %.txt', 'café & "quotes" #?.jpg', 'dup.txt', 'time:12:00', 'twice'].sort())
  t.same(byName.get('a+b %.txt'), {
    name: 'a+b %.txt',
    isDir: false,
    size: 12,
    mtimeMs: Date.UTC(2024, 5, 5, 12, 30),
    ctimeMs: Date.UTC(2024, 5, 4, 11),
    etag: null,
  })
  t.equal(byName.get('Trips')?.isDir, true, 'folder without trailing slash')
  t.equal(byName.get('Trips')?.mtimeMs, null, "MEGA's 1970 folder time is no time")
  t.equal(byName.get('dup.txt')?.isDir, true, 'a folder wins over files of the same name')
  t.equal(byName.get('twice')?.size, 1, 'between two files the first is kept')
  t.same(listing.duplicateNames.sort(), ['dup.txt', 'twice'])
})

t.test('MEGA stat of a subfolder: own href with slash, matching by decoded path', async t => {
  const url = new URL(`${MEGA_BASE}/My%20Trips`)
  const xml = `<?xml version="1.0" encoding="utf-8" ?><d:multistatus xmlns:d="DAV:">${megaFolder(`${MEGA_BASE}/My%20Trips/`, 'My Trips')}</d:multistatus>`
  const parsed = parseMultistatus(xml, url)
  const self = findSelf(parsed.resources, ['f1Y2lIrD', 'Photos', 'My Trips'])
  t.same(self?.segments, ['f1Y2lIrD', 'Photos', 'My Trips'])
  t.equal(self?.isDir, true)
})

t.test('the own entry is found by path even when it is not first', async t => {
  const url = new URL('http://h/base/dir')
  const xml = `<multistatus xmlns="DAV:">
<response><href>/base/dir/child</href><propstat><prop><resourcetype/><getcontentlength>3</getcontentlength></prop></propstat></response>
<response><href>/base/dir</href><propstat><prop><resourcetype><collection/></resourcetype></prop></propstat></response>
</multistatus>`
  const listing = toListing(parseMultistatus(xml, url), ['base', 'dir'], 'dir', url)
  t.equal(listing.self.name, 'dir')
  t.equal(listing.self.isDir, true)
  t.same(listing.entries.map(e => [e.name, e.size]), [['child', 3]])
})

// rclone serve webdav (golang.org/x/net/webdav): 'D:' prefix, absolute-path
// hrefs, collections with trailing slash, quotes in etags as &#34;, props it
// lacks in a 404 propstat block.
t.test('rclone-style listing', async t => {
  const url = new URL('http://127.0.0.1:8080/')
  const xml = `<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/</D:href><D:propstat><D:prop><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype><D:getlastmodified>Mon, 03 Jun 2024 10:00:00 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:getcontentlength></D:getcontentlength><D:creationdate></D:creationdate><D:getetag></D:getetag></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response><D:response><D:href>/sub%20dir/</D:href><D:propstat><D:prop><D:resourcetype><D:collection xmlns:D="DAV:"/></D:resourcetype><D:getlastmodified>Mon, 03 Jun 2024 10:00:00 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:response><D:href>/a%20&amp;%20b.txt</D:href><D:propstat><D:prop><D:resourcetype></D:resourcetype><D:getcontentlength>42</D:getcontentlength><D:getlastmodified>Tue, 04 Jun 2024 11:00:00 GMT</D:getlastmodified><D:getetag>&#34;17d5a8b7c6e5f400&#34;</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat><D:propstat><D:prop><D:creationdate></D:creationdate></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>`
  const listing = toListing(parseMultistatus(xml, url), [], '', url)
  t.equal(listing.self.isDir, true)
  t.equal(listing.self.mtimeMs, Date.UTC(2024, 5, 3, 10))
  t.same(
    listing.entries.map(e => [e.name, e.isDir, e.size, e.etag, e.ctimeMs]),
    [
      ['sub dir', true, 0, null, null],
      ['a & b.txt', false, 42, '"17d5a8b7c6e5f400"', null],
    ],
  )
})

// Apache mod_dav: 'lp1:' prefixes for live props, ISO 8601 creationdate,
// relative hrefs are legal too, quota props when asked for.
t.test('Apache-style listing with relative hrefs and quota', async t => {
  const url = new URL('http://localhost/dav/docs')
  const xml = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/dav/docs/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:creationdate>2024-06-03T10:00:00Z</lp1:creationdate>
<lp1:getlastmodified>Mon, 03 Jun 2024 10:00:00 GMT</lp1:getlastmodified>
<lp1:getetag>"1000-61a1b2c3d4e5f"</lp1:getetag>
<D:quota-available-bytes>1000000</D:quota-available-bytes>
<D:quota-used-bytes>2345</D:quota-used-bytes>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>report%202024.pdf</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:creationdate>2024-06-04T11:00:00+02:00</lp1:creationdate>
<lp1:getcontentlength>1024</lp1:getcontentlength>
<lp1:getlastmodified>Tue, 04 Jun 2024 11:00:00 GMT</lp1:getlastmodified>
<lp1:getetag>W/"400-61a1b2c3d4e60"</lp1:getetag>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
<D:response>
<D:href>/dav/docs/gone.txt</D:href>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:response>
</D:multistatus>`
  const parsed = parseMultistatus(xml, url)
  t.equal(parsed.dropped, 1, 'a response with a 404 status is left out')
  const listing = toListing(parsed, ['dav', 'docs'], 'docs', url)
  t.equal(listing.self.ctimeMs, Date.UTC(2024, 5, 3, 10))
  t.equal(listing.self.etag, '"1000-61a1b2c3d4e5f"')
  t.same(findSelf(parsed.resources, ['dav', 'docs'])?.quota, { usedBytes: 2345, availableBytes: 1000000 })
  t.same(listing.entries, [
    { name: 'report 2024.pdf', isDir: false, size: 1024, mtimeMs: Date.UTC(2024, 5, 4, 11), ctimeMs: Date.UTC(2024, 5, 4, 9), etag: 'W/"400-61a1b2c3d4e60"' },
  ])
})

t.test('tolerates missing props, empty propstat and odd prefixes', async t => {
  const url = new URL('http://h/f')
  const xml = `<x:multistatus xmlns:x="DAV:">
<x:response><x:href>/f/</x:href><x:propstat></x:propstat></x:response>
<x:response><x:href>/f/bare</x:href><x:propstat><x:prop/><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response>
<x:response><x:href>/f/bad-date</x:href><x:propstat><x:prop><x:getlastmodified>yesterday</x:getlastmodified><x:getcontentlength>-5</x:getcontentlength></x:prop></x:propstat></x:response>
<x:response><x:propstat><x:prop/></x:propstat></x:response>
</x:multistatus>`
  const parsed = parseMultistatus(xml, url)
  t.equal(parsed.dropped, 1, 'a response without href is dropped')
  const listing = toListing(parsed, ['f'], 'f', url)
  t.equal(listing.self.isDir, false, 'no resourcetype: a file')
  t.same(
    listing.entries.map(e => [e.name, e.isDir, e.size, e.mtimeMs]),
    [
      ['bare', false, 0, null],
      ['bad-date', false, 0, null],
    ],
  )
})

t.test('not a multistatus: bad-reply with a hint', async t => {
  const url = new URL('http://h/f')
  t.throws(() => parseMultistatus('<html><body>It works!</body></html>', url), new RemoteError('bad-reply', 'PROPFIND answer from h has no multistatus element: is the URL a WebDAV folder?'))
  t.throws(() => parseMultistatus('', url), { name: 'RemoteError', kind: 'bad-reply' })
  t.throws(() => parseMultistatus('<a><b></a>', url), { name: 'RemoteError', kind: 'bad-reply' })
  t.throws(() => toListing({ resources: [], dropped: 0 }, ['f'], 'f', url), { name: 'RemoteError', kind: 'bad-reply' })
})

t.test('XML text unescaping leaves unknown entities alone', async t => {
  t.equal(unescapeXmlText('a &amp; b &lt;&gt; &quot;&apos; &#34;&#x41; &add; &percnt; &#0;'), `a & b <> "' "A &add; &percnt; &#0;`)
})

t.test('an answer cut short is an error, never a shorter listing', async t => {
  const url = new URL('http://h/AbCd/Photos/')
  const whole = '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/AbCd/Photos/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response><d:response><d:href>/AbCd/Photos/a.jpg</d:href><d:propstat><d:prop><d:getcontentlength>5</d:getcontentlength></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>'
  t.equal(parseMultistatus(whole, url).resources.length, 2)
  t.throws(() => parseMultistatus(whole.slice(0, whole.indexOf('<d:response><d:href>/AbCd/Photos/a.jpg')), url), { kind: 'bad-reply', message: /cut short/ })
})

// Issue 9: 200,000 nested elements held the daemon for 85 s, because
// htmlparser2 keeps its open elements in an array it unshifts and shifts.
const nested = (levels: number, close = '</d:x>') => '<d:multistatus xmlns:d="DAV:">' + '<d:x>'.repeat(levels) + close.repeat(levels) + '</d:multistatus>'

t.test('elements nested past MAX_XML_DEPTH stop the parse at once', async t => {
  const url = new URL('http://h/AbCd/Photos/')
  t.equal(MAX_XML_DEPTH, 64)
  t.same(parseMultistatus(nested(MAX_XML_DEPTH - 1), url).resources, [], '64 open at once (multistatus and 63) is fine')
  t.throws(() => parseMultistatus(nested(MAX_XML_DEPTH), url), {
    name: 'RemoteError',
    kind: 'bad-reply',
    message: 'PROPFIND: the answer from h nests elements more than 64 deep (a listing needs about 6): it is not a WebDAV listing; check that the URL is MEGAcmd\'s bridge (mega-webdav) or another WebDAV server',
  })
  for (const close of ['</d:x>', '</d:y>']) {
    // Fed in pieces as the socket delivers them: the first piece past the
    // bound throws, and nothing after it is parsed (a well-formed end
    // still fails, with the same error).
    const reader = new MultistatusReader(url, { what: 'PROPFIND /Deep' })
    const first = '<d:multistatus xmlns:d="DAV:">' + '<d:x>'.repeat(1000)
    t.throws(() => reader.write(first), { kind: 'bad-reply', message: /^PROPFIND \/Deep: the answer from h nests elements more than 64 deep/ })
    t.throws(() => reader.write('<d:x>'.repeat(199_000) + close.repeat(200_000)), { message: /more than 64 deep/ })
    t.throws(() => reader.end(), { message: /more than 64 deep/ })
  }
  t.throws(() => parseMultistatus(nested(200_000, '</d:y>'), url), { message: /more than 64 deep/ }, 'whole, with close tags that match nothing')
})

t.test('wide answers are not bounded by depth: 200,000 siblings parse', async t => {
  const url = new URL('http://h/AbCd/Photos/')
  const xml =
    '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/AbCd/Photos/</d:href><d:propstat><d:prop>' +
    '<d:x/>'.repeat(200_000) + '</d:y>'.repeat(200_000) +
    '<d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response></d:multistatus>'
  const parsed = parseMultistatus(xml, url)
  t.equal(parsed.resources.length, 1)
  t.equal(parsed.resources[0].isDir, true)
})

t.test('more <response> elements than maxEntries fail the listing', async t => {
  const url = new URL('http://h/AbCd/')
  t.equal(MAX_LISTING_ENTRIES, 500_000)
  const answer = (n: number) =>
    '<d:multistatus xmlns:d="DAV:">' +
    Array.from({ length: n }, (_, i) => `<d:response><d:href>/AbCd/f${i}</d:href><d:propstat><d:prop><d:getcontentlength>1</d:getcontentlength></d:prop></d:propstat></d:response>`).join('') +
    '</d:multistatus>'
  t.equal(parseMultistatus(answer(3), url, { maxEntries: 3 }).resources.length, 3)
  t.throws(() => parseMultistatus(answer(4), url, { maxEntries: 3, what: 'PROPFIND /Big' }), {
    kind: 'bad-reply',
    message: 'PROPFIND /Big: the answer from h lists more than 3 entries, more than megamount lists in one folder: split the folder into smaller ones (mega-mkdir, mega-mv)',
  })
})
