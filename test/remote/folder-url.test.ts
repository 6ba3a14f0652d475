import t from 'tap'
import { parseFolderUrl } from '../../src/remote/folder-url.js'

t.test('accepts http(s) folder URLs and drops the trailing slash', async t => {
  t.equal(parseFolderUrl('http://127.0.0.1:4443/f1Y2lIrD/Photos/').href, 'http://127.0.0.1:4443/f1Y2lIrD/Photos')
  t.equal(parseFolderUrl('http://127.0.0.1:4443/f1Y2lIrD/Cloud%20Drive').pathname, '/f1Y2lIrD/Cloud%20Drive')
  t.equal(parseFolderUrl('https://dav.example/').href, 'https://dav.example/')
})

t.test('refuses what cannot work, saying what to do', async t => {
  t.throws(() => parseFolderUrl('127.0.0.1:4443/x'), /is not a URL/, 'scheme missing')
  t.throws(() => parseFolderUrl('localhost:4443/x'), /only http/, 'read as the scheme localhost:')
  t.throws(() => parseFolderUrl('not a url'), /is not a URL: give the folder's WebDAV URL, e\.g\. http:\/\/127\.0\.0\.1:4443\/f1Y2lIrD\/Photos/)
  t.throws(() => parseFolderUrl('ftp://h/x'), /only http:\/\/ and https:\/\//)
  t.throws(() => parseFolderUrl('http://h/x?y=1'), /remove the query string or fragment/)
  t.throws(() => parseFolderUrl('http://h/x?'), /remove the query string/)
  t.throws(() => parseFolderUrl('http://h/x#frag'), /%23/)
  t.throws(() => parseFolderUrl('http://u:p@h/x'), /passwords in the URL are not supported/)
})
