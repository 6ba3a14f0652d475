import t from 'tap'
import { formatBytes, percent } from '../../src/cli/format-bytes.js'

t.test('sizes in decimal units', async t => {
  t.equal(formatBytes(0), '0 bytes')
  t.equal(formatBytes(1), '1 byte')
  t.equal(formatBytes(999), '999 bytes')
  t.equal(formatBytes(1_000), '1.0 kB')
  t.equal(formatBytes(12_400_000), '12.4 MB')
  t.equal(formatBytes(123_456_789), '123 MB')
  t.equal(formatBytes(4_700_000_000), '4.7 GB')
  t.equal(formatBytes(5e15), '5000 TB')
})

t.test('percent rounds down, empty files are 0%', async t => {
  t.equal(percent(449, 1000), 44)
  t.equal(percent(1000, 1000), 100)
  t.equal(percent(0, 0), 0)
})
