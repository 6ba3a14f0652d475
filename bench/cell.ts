// One cell of the table: a warm-up, then timed runs (cold ones prepared
// first) until the repeat count or the cell's time budget is reached.
import { dropKernelCaches } from './procs.js'
import type { Cell } from './report.js'
import { elapsedMs } from './stats.js'
import { BenchFailure } from './verify.js'
import { READ_ONLY, type RunResult } from './workloads.js'

export interface CellPlan {
  cold: boolean
  makeCold: () => Promise<void>
  warmup: () => Promise<unknown>
  run: () => Promise<RunResult | typeof READ_ONLY>
  maxRepeats: number
  budgetMs: number
}

export async function measureCell(plan: CellPlan): Promise<Cell> {
  try {
    const warmStart = process.hrtime.bigint()
    if ((await plan.warmup()) === READ_ONLY) return { status: 'read-only', runs: [] }
    const warmupMs = elapsedMs(warmStart)
    const runs: RunResult[] = []
    const start = process.hrtime.bigint()
    while (runs.length < plan.maxRepeats) {
      if (plan.cold) {
        await plan.makeCold()
        dropKernelCaches()
      }
      const result = await plan.run()
      if (result === READ_ONLY) return { status: 'read-only', runs: [] }
      runs.push(result)
      if (elapsedMs(start) >= plan.budgetMs) break
    }
    return { status: 'ok', runs, warmupMs }
  } catch (err) {
    // Wrong bytes stop everything; any other failure is this cell's alone.
    if (err instanceof BenchFailure) throw err
    return { status: 'error', runs: [], error: err instanceof Error ? err.message : String(err) }
  }
}
