import t from 'tap'
import { addRange, clipRanges, rangeBytes, removeRange } from '../../../src/vfs/write/lost-ranges.js'

t.test('ranges merge, split and clip', async t => {
  let r = addRange([], 10, 20)
  r = addRange(r, 30, 40)
  t.same(r, [[10, 20], [30, 40]])
  t.same(addRange(r, 15, 35), [[10, 40]], 'overlapping ranges merge')
  t.same(addRange(r, 20, 30), [[10, 40]], 'touching ranges merge')
  t.same(addRange(r, 0, 5), [[0, 5], [10, 20], [30, 40]], 'kept in order')
  t.same(addRange(r, 5, 5), r, 'an empty range adds nothing')
  t.same(removeRange(r, 12, 35), [[10, 12], [35, 40]])
  t.same(removeRange(r, 0, 100), [])
  t.same(removeRange(r, 14, 16), [[10, 14], [16, 20], [30, 40]], 'a hole in the middle')
  t.same(clipRanges(r, 35), [[10, 20], [30, 35]])
  t.same(clipRanges(r, 10), [])
  t.equal(rangeBytes(r), 20)
})
