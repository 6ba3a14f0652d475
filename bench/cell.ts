// One cell of the table: a warm-up, then timed runs (cold ones prepared
// first) until the repeat count or the cell's time budget is reached. A slow
// cell is therefore the median of fewer runs (always at least one), which
// keeps the whole bench within its time while fast cells still get repeats.
import { readCpuMs } from './memory.js'
import { dropKernelCaches } from './procs.js'
import type { Cell } from './report.js'
import { BenchFailure } from './verify.js'
import { READ_ONLY, type RunResult } from './workloads.js'

export interface CellPlan {
  cold: boolean
  makeCold: () => Promise<void>
  /** null: the cell measured just before on the same mount left exactly
   *  the state a warm-up would (its last run was this warm-up's work). */
  warmup: (() => Promise<unknown>) | null
  run: () => Promise<RunResult | typeof READ_ONLY>
  /** Untimed check of the bytes after the runs; a BenchFailure stops the bench. */
  verify?: () => Promise<unknown>
  maxRepeats: number
  /** No further run starts once the runs (with their cold preparation) have used this long. */
  budgetMs: number
  /** The mount's processes: their CPU time per run is recorded. */
  pids?: () => number[]
  /** Monotonic milliseconds; injected by tests. */
  nowMs?: () => number
}

const hrtimeMs = () => Number(process.hrtime.bigint()) / 1e6

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
    const now = plan.nowMs ?? hrtimeMs
    const warmStart = now()
    if (plan.warmup && (await plan.warmup()) === READ_ONLY) return { status: 'read-only', runs: [] }
    const warmupMs = plan.warmup ? now() - warmStart : undefined
    const runs: RunResult[] = []
    const start = now()
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
      if (now() - start >= plan.budgetMs) break
    }
    await plan.verify?.()
    return warmupMs === undefined ? { status: 'ok', runs, warmupSkipped: true } : { status: 'ok', runs, warmupMs }
  } catch (err) {
    // Wrong bytes stop everything; any other failure is this cell's alone.
    if (err instanceof BenchFailure) throw err
    return { status: 'error', runs: [], error: err instanceof Error ? err.message : String(err) }
  }
}
