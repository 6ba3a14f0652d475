import t from 'tap'
import { median } from '../../bench/stats.js'

t.test('median of odd and even counts, input left unsorted', async (t) => {
  const values = [5, 1, 3]
  t.equal(median(values), 3)
  t.same(values, [5, 1, 3])
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.equal(median([9]), 9)
  t.throws(() => median([]), /no values/)
})
