import t from 'tap'
import { checkBridgeUrl, plainHttpWarning } from '../../src/config/url-check.js'

t.test('plain HTTP to a host that is not this computer is warned about', async t => {
  for (const url of ['http://127.0.0.1:4443/a/B', 'http://127.1.2.3/a/B', 'http://localhost:4443/a/B', 'http://[::1]:4443/a/B', 'https://nas.example:4443/a/B', 'https://192.168.1.5/a/B']) {
    t.equal(plainHttpWarning(url), null, url)
  }
  for (const host of ['192.168.1.5', 'nas.example', '[fe80::1]', '10.0.0.1', '127.0.0.1.example']) {
    const w = plainHttpWarning(`http://${host}:4443/a/B`)
    t.match(w, `plain HTTP to ${host}, which is not this computer`, host)
    t.match(w, /unencrypted/)
  }
  t.equal(plainHttpWarning('not a url'), null, 'a bad URL is checkBridgeUrl\'s to refuse')
  t.equal(checkBridgeUrl('http://192.168.1.5:4443/a/B'), null, 'warned, not refused')
})
