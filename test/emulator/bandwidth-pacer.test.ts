import { Readable } from 'node:stream'
import t from 'tap'
import { BandwidthPacer } from '../../src/emulator/bandwidth-pacer.js'

t.test('reserve books the shared link in order', async t => {
  const pacer = new BandwidthPacer(1000) // 1000 bytes per second
  t.equal(pacer.reserve(500, 10_000), 0, 'an idle link sends at once')
  t.equal(pacer.reserve(500, 10_000), 500, 'the second waits for the first')
  t.equal(pacer.reserve(100, 10_200), 800)
  t.equal(pacer.reserve(100, 20_000), 0, 'idle again later')
  t.throws(() => new BandwidthPacer(0), /positive/)
})

t.test('the paced stream passes every byte through in order', async t => {
  const pacer = new BandwidthPacer(1e12)
  const input = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))
  const chunks: Buffer[] = []
  for await (const chunk of Readable.from([input.subarray(0, 30_000), input.subarray(30_000)]).pipe(pacer.stream())) chunks.push(chunk as Buffer)
  t.ok(Buffer.concat(chunks).equals(input))
})
