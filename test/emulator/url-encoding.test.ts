import t from 'tap'
import { decodeSegment, encodeName, servedUrl } from '../../src/emulator/url-encoding.js'

t.test('lowercase hex for served URLs, uppercase for hrefs', async t => {
  t.equal(encodeName('Cloud Drive', 'lower'), 'Cloud%20Drive')
  t.equal(encodeName('é+(x)!', 'lower'), '%c3%a9%2b%28x%29%21')
  t.equal(encodeName('é+(x)!', 'upper'), '%C3%A9%2B%28x%29%21')
  t.equal(encodeName('a-b_c.d~e', 'upper'), 'a-b_c.d~e')
  t.equal(servedUrl('127.0.0.1', 4443, 'AbCd_-12', 'My Photos'), 'http://127.0.0.1:4443/AbCd_-12/My%20Photos')
  t.equal(decodeSegment('a%20b'), 'a b')
  t.equal(decodeSegment('%E0%A4'), null)
})
