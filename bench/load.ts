// The machine's load during the bench (/proc/loadavg, 1-minute average),
// sampled so the report can say how busy the machine was: on a shared
// machine the same bench can take twice as long.
import { readFileSync } from 'node:fs'

export function readLoadAverage(): number | null {
  try {
    const first = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
    return Number.isFinite(first) ? first : null
  } catch {
    return null
  }
}

export interface LoadSummary {
  samples: number
  min: number
  mean: number
  max: number
}

export function summarizeLoad(samples: number[]): LoadSummary | null {
  if (samples.length === 0) return null
  const sum = samples.reduce((a, b) => a + b, 0)
  return { samples: samples.length, min: Math.min(...samples), mean: sum / samples.length, max: Math.max(...samples) }
}

export class LoadSampler {
  readonly samples: number[] = []
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly read: () => number | null = readLoadAverage) {}

  sample(): void {
    const load = this.read()
    if (load !== null) this.samples.push(load)
  }

  start(intervalMs = 10_000): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), intervalMs)
    this.timer.unref()
  }

  stop(): LoadSummary | null {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.sample()
    return summarizeLoad(this.samples)
  }
}
