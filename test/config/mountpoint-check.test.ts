import t from 'tap'
import { fsNameFor, parseMountTable } from '../../src/config/mountpoint-check.js'

t.test('parseMountTable decodes octal escapes', async t => {
  const table = parseMountTable('megamount:a /home/u/MEGA/My\\040Photos fuse rw,nosuid 0 0\nproc /proc proc rw 0 0\n')
  t.same(table[0], { source: 'megamount:a', mountpoint: '/home/u/MEGA/My Photos', fsType: 'fuse' })
  t.equal(table.length, 2)
  t.equal(fsNameFor('a'), 'megamount:a')
})
