// The results table: medians per workload per mount, both floors, the ratio
// megamount / rclone and pass/fail against the targets.
import type { MountId } from './mounts.js'
import type { DataSizes, ServerName, WorkloadName } from './options.js'
import { median } from './stats.js'
import type { RunResult } from './workloads.js'

export type ColumnId = MountId | 'server-serial' | 'server-parallel-8' | 'local-disk'

export interface Cell {
  status: 'ok' | 'read-only' | 'error' | 'skipped'
  runs: RunResult[]
  warmupMs?: number
  /** The warm-up was the previous cell's last run on the same mount. */
  warmupSkipped?: boolean
  error?: string
}

/** results[server][workload][column] */
export type Results = Partial<Record<ServerName, Partial<Record<WorkloadName, Partial<Record<ColumnId, Cell>>>>>>

type Metric = 'ms' | 'onServerMs' | 'cpuMs' | 'kernelReads'
/** Which rclone column a ratio divides by: a named mode, or the faster of the two. */
type Versus = 'rclone-off' | 'rclone-full' | 'faster rclone'

interface Row {
  workload: WorkloadName
  metric: Metric
  label: (s: DataSizes) => string
  versus: Versus
  /** Highest passing ratio per server; none: reported only. */
  target?: Record<ServerName, number>
  /** Highest passing value of megamount's own figure (ms, or a count). */
  absolute?: Record<ServerName, number>
  /** The server alone has no cache: a floor for a warm row would be the cold one. */
  floor: boolean
}

const n = (x: number) => x.toLocaleString('en-US')
const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`
const treeFiles = (s: DataSizes) => s.topFolders * s.subFoldersPerTop * s.filesPerFolder

export const ROWS: Row[] = [
  { workload: 'first-browse', metric: 'ms', label: (s) => `first browse after a fresh start, find + ls -lR (${n(treeFiles(s))} files)`, versus: 'rclone-off', target: { rclone: 0.5, emulator: 0.3 }, floor: false },
  { workload: 'crawl-cold-find', metric: 'ms', label: (s) => `cold crawl, find -type f (${n(treeFiles(s))} files)`, versus: 'rclone-off', target: { rclone: 0.5, emulator: 0.3 }, floor: true },
  { workload: 'crawl-cold-ls', metric: 'ms', label: () => 'cold crawl, ls -lR', versus: 'rclone-off', target: { rclone: 0.45, emulator: 0.3 }, floor: true },
  { workload: 'crawl-warm-find', metric: 'ms', label: () => 'warm crawl, find -type f', versus: 'faster rclone', target: { rclone: 0.7, emulator: 0.7 }, floor: false },
  { workload: 'crawl-warm-ls', metric: 'ms', label: () => 'warm crawl, ls -lR', versus: 'faster rclone', target: { rclone: 0.7, emulator: 0.7 }, floor: false },
  { workload: 'bigdir-ls', metric: 'ms', label: (s) => `ls -l of ${n(s.bigdirEntries)} entries, cold`, versus: 'faster rclone', floor: true },
  { workload: 'seq-cold', metric: 'ms', label: (s) => `sequential read ${mib(s.bigFileBytes)}, cold`, versus: 'rclone-off', target: { rclone: 0.8, emulator: 0.8 }, floor: true },
  { workload: 'seq-cold', metric: 'cpuMs', label: (s) => `CPU of the mount's process for that read (ms; ${mib(s.bigFileBytes)} at most 800 ms)`, versus: 'rclone-off', absolute: { rclone: 800, emulator: 800 }, floor: false },
  { workload: 'seq-cold', metric: 'kernelReads', label: () => 'read requests the kernel sent for it (count)', versus: 'rclone-off', floor: false },
  { workload: 'seq-again', metric: 'ms', label: () => 'sequential read again', versus: 'rclone-full', target: { rclone: 0.3, emulator: 0.3 }, floor: false },
  { workload: 'medium-cat', metric: 'ms', label: (s) => `${n(s.mediumCount)} x ${s.mediumBytes / 1024} KiB, cat each, cold`, versus: 'faster rclone', target: { rclone: 0.25, emulator: 0.3 }, floor: true },
  { workload: 'random-read', metric: 'ms', label: (s) => `${n(s.randomReadCount)} random ${s.randomReadBytes / 1024} KiB reads, cold`, versus: 'faster rclone', target: { rclone: 0.5, emulator: 0.5 }, floor: true },
  { workload: 'write-big', metric: 'ms', label: (s) => `write ${mib(s.writeBigBytes)}, to close`, versus: 'rclone-full', floor: true },
  { workload: 'write-big', metric: 'onServerMs', label: (s) => `write ${mib(s.writeBigBytes)}, until on server`, versus: 'rclone-full', target: { rclone: 1.0, emulator: 1.0 }, floor: true },
  { workload: 'write-small', metric: 'ms', label: (s) => `copy ${n(s.writeSmallCount)} small files in (cp -r), to close`, versus: 'rclone-full', floor: true },
  { workload: 'write-small', metric: 'onServerMs', label: (s) => `copy ${n(s.writeSmallCount)} small files, until on server`, versus: 'rclone-full', floor: true },
  { workload: 'rsync-small', metric: 'ms', label: (s) => `rsync -a of ${n(s.rsyncSmallCount)} small files in, until rsync exits`, versus: 'rclone-full', target: { rclone: 0.7, emulator: 0.7 }, floor: true },
  { workload: 'rsync-small', metric: 'onServerMs', label: (s) => `rsync -a of ${n(s.rsyncSmallCount)} small files, until on server`, versus: 'rclone-full', floor: false },
]

export function cellMedian(cell: Cell | undefined, metric: Metric): number | null {
  if (!cell || cell.status !== 'ok') return null
  const values = cell.runs.map((r) => r[metric]).filter((v): v is number => typeof v === 'number')
  return values.length > 0 ? median(values) : null
}

function show(cell: Cell | undefined, metric: Metric): string {
  if (!cell) return '—'
  if (cell.status === 'read-only') return 'n/a (read-only)'
  if (cell.status === 'error') return 'error'
  if (cell.status === 'skipped') return 'skipped'
  const m = cellMedian(cell, metric)
  if (m === null) return '—'
  if (metric === 'kernelReads') return `${Math.round(m)} (${cell.runs.length})`
  if (metric === 'cpuMs') return `${Math.round(m)} ms (${cell.runs.length})`
  const secs = m / 1000
  const text = secs >= 100 ? secs.toFixed(0) : secs >= 10 ? secs.toFixed(1) : secs >= 1 ? secs.toFixed(2) : secs.toFixed(3)
  const sampled = cell.runs.find((r) => r.sampleDivisor !== undefined)?.sampleDivisor
  return `${text} s (${cell.runs.length}${sampled ? `, est. from 1/${sampled}` : ''})`
}

export interface RatioLine {
  server: ServerName
  workload: WorkloadName
  metric: Metric
  label: string
  versus: string
  ratio: number | null
  target: number | null
  /** A bound on megamount's own figure instead of a ratio. */
  absolute: number | null
  /** megamount's median. */
  value: number | null
  pass: boolean | null
}

export function ratios(results: Results, sizes: DataSizes): RatioLine[] {
  const lines: RatioLine[] = []
  for (const server of Object.keys(results) as ServerName[]) {
    const byWorkload = results[server] ?? {}
    for (const row of ROWS) {
      const cells = byWorkload[row.workload]
      if (!cells) continue
      const mm = cellMedian(cells.megamount, row.metric)
      const off = cellMedian(cells['rclone-off'], row.metric)
      const full = cellMedian(cells['rclone-full'], row.metric)
      let base: number | null
      let versus: string
      if (row.versus === 'faster rclone') {
        const both = [off, full].filter((v): v is number => v !== null)
        base = both.length > 0 ? Math.min(...both) : null
        versus = base === null ? 'faster rclone' : base === off ? 'rclone off (faster)' : 'rclone full (faster)'
      } else {
        base = row.versus === 'rclone-off' ? off : full
        versus = row.versus === 'rclone-off' ? 'rclone off' : 'rclone full'
      }
      const ratio = mm !== null && base !== null && base > 0 ? mm / base : null
      const target = row.target?.[server] ?? null
      const absolute = row.absolute?.[server] ?? null
      lines.push({
        server,
        workload: row.workload,
        metric: row.metric,
        label: row.label(sizes),
        versus,
        ratio,
        target,
        absolute,
        value: mm,
        pass: absolute !== null ? (mm === null ? null : mm <= absolute) : target === null || ratio === null ? null : ratio <= target,
      })
    }
  }
  return lines
}

/** One markdown table per server. */
export function renderTables(results: Results, sizes: DataSizes, descriptions: Partial<Record<ServerName, string>>): string {
  const out: string[] = []
  const lines = ratios(results, sizes)
  for (const server of Object.keys(results) as ServerName[]) {
    const byWorkload = results[server] ?? {}
    out.push(`### ${descriptions[server] ?? server}`, '')
    out.push('| workload | megamount | megamount on fuse-native | rclone off | rclone full | server alone, serial | server alone, 8 parallel | local disk | FUSE ceiling | megamount / rclone | target | result |')
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|')
    for (const row of ROWS) {
      const cells = byWorkload[row.workload]
      if (!cells) continue
      const line = lines.find((l) => l.server === server && l.workload === row.workload && l.metric === row.metric)
      const ratio = line?.ratio === null || line === undefined ? '—' : `${line.ratio.toFixed(2)} vs ${line.versus}`
      const target = line?.absolute != null ? `<= ${line.absolute} (megamount)` : line?.target == null ? '' : `<= ${line.target}`
      const result = line?.pass == null ? '' : line.pass ? 'pass' : '**FAIL**'
      out.push(`| ${[
        row.label(sizes),
        show(cells.megamount, row.metric),
        show(cells['megamount-fuse-native'], row.metric),
        show(cells['rclone-off'], row.metric),
        show(cells['rclone-full'], row.metric),
        row.floor ? show(cells['server-serial'], row.metric) : '',
        row.floor ? show(cells['server-parallel-8'], row.metric) : '',
        row.metric === 'ms' ? show(cells['local-disk'], row.metric) : '',
        show(cells['fuse-ceiling'], row.metric),
        ratio,
        target,
        result,
      ].join(' | ')} |`)
    }
    out.push('')
  }
  out.push('Cells: median in seconds (number of timed runs: a cell stops repeating once its runs used the per-cell budget, --cell-budget-s, so slow cells are the median of fewer runs, at least one after a warm-up; "est. from 1/4": a serial floor that timed a quarter of its independent requests, every one checked, and scaled). Ratios below 1 mean megamount is faster.')
  return out.join('\n')
}
