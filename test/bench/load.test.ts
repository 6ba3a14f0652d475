import t from 'tap'
import { LoadSampler, readLoadAverage, summarizeLoad } from '../../bench/load.js'

t.test('summary of load samples', async (t) => {
  t.equal(summarizeLoad([]), null)
  t.same(summarizeLoad([1, 3, 2]), { samples: 3, min: 1, mean: 2, max: 3 })
})

t.test('the sampler keeps what it reads and skips unreadable samples', async (t) => {
  const values = [2.5, null, 4.5]
  const sampler = new LoadSampler(() => values.shift() ?? null)
  sampler.sample()
  sampler.sample()
  t.same(sampler.stop(), { samples: 2, min: 2.5, mean: 3.5, max: 4.5 })
})

t.test('reads /proc/loadavg on Linux', { skip: process.platform !== 'linux' && 'Linux only' }, async (t) => {
  const load = readLoadAverage()
  t.type(load, 'number')
  t.ok((load ?? -1) >= 0)
})
