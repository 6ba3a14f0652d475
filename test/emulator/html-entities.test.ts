import t from 'tap'
import { escapeDisplayName, escapeXmlText } from '../../src/emulator/html-entities.js'

t.test('displayname entities, including the non-XML ones', async t => {
  t.equal(escapeDisplayName(`a+b%c&d<e>f"g'h`), 'a&add;b&percnt;c&amp;d&lt;e&gt;f&quot;g&apos;h')
  t.equal(escapeDisplayName('plain.txt'), 'plain.txt')
  t.equal(escapeXmlText('a&b<c>+%'), 'a&amp;b&lt;c&gt;+%')
})
