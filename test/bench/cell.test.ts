import t from 'tap'
import { measureCell, type CellPlan } from '../../bench/cell.js'
import { BenchFailure } from '../../bench/verify.js'
import { READ_ONLY } from '../../bench/workloads.js'

/** A plan whose runs each take `runMs` on a fake clock. */
function plan(runMs: number, over: Partial<CellPlan> = {}): CellPlan & { calls: string[] } {
  let clock = 0
  const calls: string[] = []
  return {
    calls,
    cold: false,
    makeCold: async () => {
      calls.push('cold')
    },
    warmup: async () => {
      calls.push('warmup')
      clock += 1
    },
    run: async () => {
      calls.push('run')
      clock += runMs
      return { ms: runMs }
    },
    maxRepeats: 3,
    budgetMs: 5000,
    nowMs: () => clock,
    ...over,
  }
}

t.test('fast cells get every repeat, after one warm-up', async (t) => {
  const p = plan(100)
  const cell = await measureCell(p)
  t.equal(cell.status, 'ok')
  t.equal(cell.runs.length, 3)
  t.equal(cell.warmupMs, 1)
  t.same(p.calls, ['warmup', 'run', 'run', 'run'])
})

t.test('a slow cell stops once its runs used the budget, never before one run', async (t) => {
  t.equal((await measureCell(plan(60_000))).runs.length, 1, 'one run longer than the budget')
  t.equal((await measureCell(plan(3000))).runs.length, 2, 'the second run crosses 5 s')
})

t.test('a skipped warm-up is recorded as such', async (t) => {
  const p = plan(100, { warmup: null })
  const cell = await measureCell(p)
  t.equal(cell.warmupSkipped, true)
  t.equal(cell.warmupMs, undefined)
  t.same(p.calls, ['run', 'run', 'run'])
})

t.test('read-only mounts and failures end the cell; wrong data stops everything', async (t) => {
  t.same(await measureCell(plan(1, { run: async () => READ_ONLY })), { status: 'read-only', runs: [] })
  const failed = await measureCell(plan(1, { run: async () => { throw new Error('cat exited with 1') } }))
  t.equal(failed.status, 'error')
  t.equal(failed.error, 'cat exited with 1')
  await t.rejects(measureCell(plan(1, { run: async () => { throw new BenchFailure('sha256 differs') } })), BenchFailure)
})

t.test('the untimed check runs once after the timed runs; wrong bytes there stop everything', async (t) => {
  const p = plan(100)
  const cell = await measureCell({ ...p, verify: async () => p.calls.push('verify') })
  t.equal(cell.runs.length, 3)
  t.same(p.calls, ['warmup', 'run', 'run', 'run', 'verify'])
  await t.rejects(measureCell(plan(1, { verify: async () => { throw new BenchFailure('sha256 differs') } })), BenchFailure)
})
