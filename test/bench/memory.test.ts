import t from 'tap'
import { MemorySampler } from '../../bench/memory.js'

t.test('a rise of the peak is charged to the phase that caused it', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const sampler = new MemorySampler()
  sampler.track('self', () => [process.pid])
  sampler.setPhase('quiet')
  sampler.sample()
  sampler.setPhase('allocating')
  const held = Buffer.alloc(64 * 1024 * 1024, 1) // touched, so resident
  sampler.sample()
  sampler.setPhase('after')
  const rises = sampler.peakRisesKiB.get('self')
  t.ok((rises?.get('allocating') ?? 0) >= 48 * 1024, `allocating raised the peak by ${Math.round((rises?.get('allocating') ?? 0) / 1024)} MiB`)
  t.notOk(rises?.has('start'), 'the first reading is not a rise')
  t.ok(sampler.peakKiB.get('self')! >= 64 * 1024)
  t.equal(held.length, 64 * 1024 * 1024)
})
