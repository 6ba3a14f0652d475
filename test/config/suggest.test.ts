import t from 'tap'
import { closestName, editDistance } from '../../src/config/suggest.js'

t.test('closestName suggests plausible typos only', async t => {
  const known = ['cacheTtlMs', 'cacheMaxEntries', 'readOnly', 'mountpoint']
  t.equal(editDistance('abc', 'abd'), 1)
  t.equal(closestName('cacheTTLms', known), 'cacheTtlMs')
  t.equal(closestName('readonly', known), 'readOnly')
  t.equal(closestName('mountPoint', known), 'mountpoint')
  t.equal(closestName('cacheMax', known), 'cacheMaxEntries')
  t.equal(closestName('colour', known), null)
})
