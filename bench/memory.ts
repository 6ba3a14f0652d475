// Resident memory of the mount processes, sampled from /proc/<pid>/status
// through the whole bench. VmHWM is the kernel's own peak, so a spike
// between two samples is not missed.
import { readFileSync } from 'node:fs'

export interface MemoryReading {
  rssKiB: number
  hwmKiB: number
}

export function readMemory(pid: number): MemoryReading | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') }
  } catch {
    return null
  }
}

export class MemorySampler {
  private readonly sources = new Map<string, () => number[]>()
  readonly peakKiB = new Map<string, number>()
  /** Per mount, how much each phase (a workload) raised its peak: where
   *  the peak comes from, not only how high it is. */
  readonly peakRisesKiB = new Map<string, Map<string, number>>()
  private phase = 'start'
  private timer: NodeJS.Timeout | null = null

  /** Names what runs from now on; sampled first, so a rise is charged to
   *  the phase that caused it. */
  setPhase(phase: string): void {
    this.sample()
    this.phase = phase
  }

  track(id: string, pids: () => number[]): void {
    this.sources.set(id, pids)
  }

  sample(): void {
    for (const [id, pids] of this.sources) {
      for (const pid of pids()) {
        const reading = readMemory(pid)
        // A process between exec and its first page has no VmHWM yet.
        if (!reading || !Number.isFinite(reading.hwmKiB) || !Number.isFinite(reading.rssKiB)) continue
        const peak = Math.max(reading.hwmKiB, reading.rssKiB)
        const before = this.peakKiB.get(id) ?? 0
        if (peak <= before) continue
        this.peakKiB.set(id, peak)
        let rises = this.peakRisesKiB.get(id)
        if (!rises) this.peakRisesKiB.set(id, (rises = new Map()))
        // The first reading is the start, not a rise.
        if (before > 0) rises.set(this.phase, (rises.get(this.phase) ?? 0) + peak - before)
      }
    }
  }

  start(intervalMs = 250): void {
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.sample()
  }
}

/** CPU time (user + system) a process has used so far, in ms. */
export function readCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return null
  }
}

/** USER_HZ: 100 on every Linux architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100
