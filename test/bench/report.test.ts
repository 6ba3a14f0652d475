import t from 'tap'
import { QUICK_SIZES } from '../../bench/options.js'
import { cellMedian, ratios, renderTables, type Cell, type Results } from '../../bench/report.js'

const ok = (...ms: number[]): Cell => ({ status: 'ok', runs: ms.map((m) => ({ ms: m })) })

t.test('cold crawl is divided by rclone off and checked against its target', async (t) => {
  const results: Results = { emulator: { 'crawl-cold-find': { megamount: ok(100, 300, 200), 'rclone-off': ok(1000), 'rclone-full': ok(100) } } }
  const [line] = ratios(results, QUICK_SIZES)
  t.equal(line.ratio, 0.2)
  t.equal(line.versus, 'rclone off')
  t.equal(line.target, 0.3)
  t.equal(line.pass, true)
})

t.test('rows without a named mode use the faster rclone mode', async (t) => {
  const results: Results = { rclone: { 'medium-cat': { megamount: ok(300), 'rclone-off': ok(2000), 'rclone-full': ok(1000) } } }
  const [line] = ratios(results, QUICK_SIZES)
  t.equal(line.ratio, 0.3)
  t.equal(line.versus, 'rclone full (faster)')
  t.equal(line.pass, false, '0.3 > 0.25 on rclone serve')
})

t.test('writes are judged until on the server; read-only and errors give no ratio', async (t) => {
  const write = (close: number, server: number): Cell => ({ status: 'ok', runs: [{ ms: close, onServerMs: server }] })
  const results: Results = {
    rclone: {
      'write-big': { megamount: write(100, 900), 'rclone-full': write(10, 1000) },
      'write-small': { megamount: { status: 'read-only', runs: [] }, 'rclone-full': write(1, 2) },
    },
  }
  const lines = ratios(results, QUICK_SIZES)
  const onServer = lines.find((l) => l.workload === 'write-big' && l.metric === 'onServerMs')
  t.equal(onServer?.ratio, 0.9)
  t.equal(onServer?.pass, true)
  t.equal(lines.find((l) => l.workload === 'write-small')?.ratio, null)
  const table = renderTables(results, QUICK_SIZES, { rclone: 'rclone serve' })
  t.match(table, /n\/a \(read-only\)/)
  t.match(table, /\| write 8 MiB, until on server \| 0\.900 s \(1\) \|/)
  t.match(table, /0\.90 vs rclone full \| <= 1 \| pass \|/)
})

t.test('cellMedian ignores cells that did not run', async (t) => {
  t.equal(cellMedian(undefined, 'ms'), null)
  t.equal(cellMedian({ status: 'error', runs: [], error: 'x' }, 'ms'), null)
  t.equal(cellMedian(ok(3, 1, 2), 'ms'), 2)
})

t.test('a sampled serial floor is marked as an estimate', async (t) => {
  const results: Results = { emulator: { 'random-read': { megamount: ok(1000), 'server-serial': { status: 'ok', runs: [{ ms: 4000, sampleDivisor: 4 }] } } } }
  t.match(renderTables(results, QUICK_SIZES, {}), /\| 4\.00 s \(1, est\. from 1\/4\) \|/)
})
