// One cell of the table: a warm-up, then timed runs (cold ones prepared
// first) until the repeat count or the cell's time budget is reached.
import { readCpuMs } from './memory.js'
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
  /** The mount's processes: their CPU time per run is recorded. */
  pids?: () => number[]
}

function cpuOf(pids: number[]): number | null {
  let total = 0
  for (const pid of pids) {
    const ms = readCpuMs(pid)
    if (ms === null) return null
    total += ms
  }
  return total
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
      const pids = plan.pids?.() ?? []
      const cpuBefore = pids.length > 0 ? cpuOf(pids) : null
      const result = await plan.run()
      if (result === READ_ONLY) return { status: 'read-only', runs: [] }
      const cpuAfter = cpuBefore !== null ? cpuOf(pids) : null
      runs.push(cpuBefore !== null && cpuAfter !== null ? { ...result, cpuMs: cpuAfter - cpuBefore } : result)
      if (elapsedMs(start) >= plan.budgetMs) break
    }
    return { status: 'ok', runs, warmupMs }
  } catch (err) {
    // Wrong bytes stop everything; any other failure is this cell's alone.
    if (err instanceof BenchFailure) throw err
    return { status: 'error', runs: [], error: err instanceof Error ? err.message : String(err) }
  }
}
