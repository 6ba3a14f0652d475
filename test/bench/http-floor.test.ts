import t from 'tap'
import { parseListing, urlOf } from '../../bench/http-floor.js'

t.test('MEGA-style listing: absolute hrefs, uppercase escapes, folders by resourcetype', async (t) => {
  const xml = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">
<d:response><d:href>http://127.0.0.1:4443/AbCdEfGh/Bench/tree/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
<d:response><d:href>http://127.0.0.1:4443/AbCdEfGh/Bench/tree/t00</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
<d:response><d:href>http://127.0.0.1:4443/AbCdEfGh/Bench/tree/a%20b.bin</d:href><d:propstat><d:prop><d:resourcetype/><d:getcontentlength>5</d:getcontentlength></d:prop></d:propstat></d:response>
</d:multistatus>`
  t.same(parseListing(xml, 'http://127.0.0.1:4443/AbCdEfGh/Bench/'), [
    { path: 'tree', isDir: true },
    { path: 'tree/t00', isDir: true },
    { path: 'tree/a b.bin', isDir: false },
  ])
})

t.test('rclone-style listing: relative hrefs under the server root', async (t) => {
  const xml = `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/bigdir/e1.txt</D:href><D:propstat><D:prop><D:resourcetype></D:resourcetype></D:prop></D:propstat></D:response></D:multistatus>`
  t.same(parseListing(xml, 'http://127.0.0.1:8080/'), [{ path: 'bigdir/e1.txt', isDir: false }])
})

t.test('urlOf escapes each segment', async (t) => {
  t.equal(urlOf('http://h/X/Bench/', 'a b/c#d'), 'http://h/X/Bench/a%20b/c%23d')
})
