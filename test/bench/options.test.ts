import t from 'tap'
import { FULL_SIZES, parseBenchArgs, QUICK_SIZES, WORKLOADS } from '../../bench/options.js'

t.test('defaults: every workload, both servers, full sizes, three repeats', async (t) => {
  const o = parseBenchArgs([])
  t.same(o.only, [...WORKLOADS])
  t.same(o.servers, ['rclone', 'emulator'])
  t.equal(o.sizes, FULL_SIZES)
  t.equal(o.maxRepeats, 3)
  t.equal(o.cellBudgetMs, 3000)
  t.equal(o.emulatorLatencyMs, 20)
  t.equal(o.emulatorBandwidthMbps, 400)
})

t.test('--quick: small data and one repeat', async (t) => {
  const o = parseBenchArgs(['--quick'])
  t.equal(o.sizes, QUICK_SIZES)
  t.equal(o.maxRepeats, 1)
})

t.test('--only takes names, comma lists and prefixes', async (t) => {
  t.same(parseBenchArgs(['--only', 'seq']).only, ['seq-cold', 'seq-again'])
  t.same(parseBenchArgs(['--only', 'bigdir-ls,write']).only, ['bigdir-ls', 'write-big', 'write-small'])
  t.throws(() => parseBenchArgs(['--only', 'nope']), /unknown workload 'nope'; choose from/)
})

t.test('--server filters and rejects unknown servers', async (t) => {
  t.same(parseBenchArgs(['--server', 'emulator']).servers, ['emulator'])
  t.throws(() => parseBenchArgs(['--server', 'apache']), /--server must be one of rclone, emulator/)
})

t.test('numbers must be positive whole numbers', async (t) => {
  t.throws(() => parseBenchArgs(['--repeats', '0']), /--repeats must be a positive whole number/)
  t.throws(() => parseBenchArgs(['--latency-ms', 'x']), /--latency-ms/)
  t.equal(parseBenchArgs(['--cell-budget-s', '5']).cellBudgetMs, 5000)
})
