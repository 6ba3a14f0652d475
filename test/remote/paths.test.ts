import t from 'tap'
import {
  decodePathSegments,
  decodeSegment,
  encodeSegment,
  hrefPathname,
  sameSegments,
  splitRelativePath,
  urlFor,
} from '../../src/remote/paths.js'

t.test('splitRelativePath ignores outer and doubled slashes, refuses . and ..', async t => {
  t.same(splitRelativePath(''), [])
  t.same(splitRelativePath('/'), [])
  t.same(splitRelativePath('/a//b/'), ['a', 'b'])
  t.same(splitRelativePath('a b/c+d'), ['a b', 'c+d'])
  t.throws(() => splitRelativePath('/a/../b'), /contains '\.\.'/)
  t.throws(() => splitRelativePath('./a'), /contains '\.'/)
})

t.test('encodeSegment escapes everything a server could misread', async t => {
  t.equal(encodeSegment("a b+c%d#e?f&g'h\"i(j)!*"), 'a%20b%2Bc%25d%23e%3Ff%26g%27h%22i%28j%29%21%2A')
  t.equal(encodeSegment('café'), 'caf%C3%A9')
  t.equal(encodeSegment('a/b'), 'a%2Fb')
  t.equal(encodeSegment('plain-name_1.txt~'), 'plain-name_1.txt~')
})

t.test('decodeSegment undoes encodeSegment and tolerates stray percents', async t => {
  for (const name of ["a b+c%d#e?f&g'h\"i", 'café 日本', 'x%y', '100%', '%zz']) {
    t.equal(decodeSegment(encodeSegment(name)), name)
  }
  t.equal(decodeSegment('100%'), '100%')
  t.equal(decodeSegment('%zz%41'), '%zzA')
  t.equal(decodeSegment('caf%c3%a9'), 'café', 'lower-case hex')
  t.same(decodePathSegments('/f1Y2lIrD/Cloud%20Drive/'), ['f1Y2lIrD', 'Cloud Drive'])
})

t.test('urlFor puts encoded segments under the base path without a trailing slash', async t => {
  const base = new URL('http://127.0.0.1:4443/f1Y2lIrD/My%20Photos')
  t.equal(urlFor(base, []).href, 'http://127.0.0.1:4443/f1Y2lIrD/My%20Photos')
  t.equal(urlFor(base, ['a b', '#1?']).href, 'http://127.0.0.1:4443/f1Y2lIrD/My%20Photos/a%20b/%231%3F')
  t.equal(urlFor(new URL('http://127.0.0.1:8080/'), []).href, 'http://127.0.0.1:8080/')
  t.equal(urlFor(new URL('http://127.0.0.1:8080/'), ['x']).href, 'http://127.0.0.1:8080/x')
})

t.test('hrefPathname takes absolute URLs, absolute paths and relative hrefs', async t => {
  const listed = new URL('http://127.0.0.1:4443/H/Photos')
  t.equal(hrefPathname('http://127.0.0.1:4443/H/Photos/a%20b', listed), '/H/Photos/a%20b')
  t.equal(hrefPathname('http://other-host/H/Photos/', listed), '/H/Photos/')
  t.equal(hrefPathname('http://127.0.0.1:4443', listed), '/')
  t.equal(hrefPathname('/H/Photos/x', listed), '/H/Photos/x')
  t.equal(hrefPathname('x%20y', listed), '/H/Photos/x%20y')
  t.equal(hrefPathname('sub/', listed), '/H/Photos/sub/')
})

t.test('sameSegments', async t => {
  t.ok(sameSegments(['a', 'b'], ['a', 'b']))
  t.notOk(sameSegments(['a'], ['a', 'b']))
  t.notOk(sameSegments(['a', 'c'], ['a', 'b']))
})
