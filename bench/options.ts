// Command line of `npm run bench` and the data sizes each mode uses.
import { parseArgs } from 'node:util'

export const WORKLOADS = [
  'first-browse',
  'crawl-cold-find',
  'crawl-cold-ls',
  'crawl-warm-find',
  'crawl-warm-ls',
  'bigdir-ls',
  'seq-cold',
  'seq-again',
  'medium-cat',
  'random-read',
  'write-big',
  'write-small',
  'rsync-small',
  'memory-huge',
  'restart',
] as const
export type WorkloadName = (typeof WORKLOADS)[number]

export const SERVERS = ['rclone', 'emulator'] as const
export type ServerName = (typeof SERVERS)[number]

export interface DataSizes {
  topFolders: number
  subFoldersPerTop: number
  filesPerFolder: number
  smallMinBytes: number
  smallMaxBytes: number
  bigFileBytes: number
  mediumCount: number
  mediumBytes: number
  bigdirEntries: number
  randomReadCount: number
  randomReadBytes: number
  writeBigBytes: number
  writeSmallCount: number
  /** Files rsync -a copies in (it writes each under a temporary name). */
  rsyncSmallCount: number
  /** The memory step's tree: hugeFolders folders of hugeFilesPerFolder files. */
  hugeFolders: number
  hugeFilesPerFolder: number
}

// The issue defines these workloads (2,000 random 4 KiB reads, 1,000 small
// files copied in, ...): fit the 15-minute budget with fewer repeats per cell,
// never by shrinking a workload, or the ratios stop meaning what they say.
export const FULL_SIZES: DataSizes = {
  topFolders: 20,
  subFoldersPerTop: 10,
  filesPerFolder: 50,
  smallMinBytes: 100,
  smallMaxBytes: 4096,
  bigFileBytes: 256 * 1024 * 1024,
  mediumCount: 500,
  mediumBytes: 64 * 1024,
  bigdirEntries: 10_000,
  randomReadCount: 2_000,
  randomReadBytes: 4096,
  writeBigBytes: 64 * 1024 * 1024,
  writeSmallCount: 1_000,
  rsyncSmallCount: 2_000,
  hugeFolders: 1_000,
  hugeFilesPerFolder: 99,
}

export const QUICK_SIZES: DataSizes = {
  topFolders: 4,
  subFoldersPerTop: 5,
  filesPerFolder: 20,
  smallMinBytes: 100,
  smallMaxBytes: 4096,
  bigFileBytes: 16 * 1024 * 1024,
  mediumCount: 50,
  mediumBytes: 64 * 1024,
  bigdirEntries: 1_000,
  randomReadCount: 100,
  randomReadBytes: 4096,
  writeBigBytes: 8 * 1024 * 1024,
  writeSmallCount: 50,
  rsyncSmallCount: 100,
  hugeFolders: 50,
  hugeFilesPerFolder: 99,
}

export interface BenchOptions {
  quick: boolean
  only: WorkloadName[]
  servers: ServerName[]
  sizes: DataSizes
  seed: number
  /** Timed runs per cell at most; fewer when a cell exceeds cellBudgetMs. */
  maxRepeats: number
  /** After the warm-up, repeats stop once a cell has used this much time. */
  cellBudgetMs: number
  emulatorLatencyMs: number
  emulatorBandwidthMbps: number
  keepTemp: boolean
  help: boolean
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick                 small data set, one repeat (about a minute)
  --only W[,W...]         run only these workloads (or a prefix: crawl, seq, write)
                          workloads: ${WORKLOADS.join(', ')}
  --server rclone|emulator  only this server (default: both)
  --repeats N             timed runs per cell at most (default 3, quick 1)
  --cell-budget-s S       no new timed run of a cell after S seconds of runs
                          (default 3: slow cells get fewer runs, never none)
  --seed N                data set seed (default 1)
  --latency-ms N          emulator: delay before the first byte (default 20)
  --bandwidth-mbps N      emulator: bandwidth cap in Mbit/s (default 400)
  --keep                  keep the temporary folder (data, logs) after the run
Results: a table on stdout, raw numbers in bench/results/<timestamp>.json.`

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`--${name} must be a positive whole number, got '${value}'`)
  }
  return n
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      server: { type: 'string' },
      repeats: { type: 'string' },
      'cell-budget-s': { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      'bandwidth-mbps': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const quick = values.quick === true
  let only: WorkloadName[] = [...WORKLOADS]
  if (values.only !== undefined) {
    const wanted = values.only.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
    only = []
    for (const w of wanted) {
      const matches = WORKLOADS.filter((name) => name === w || name.startsWith(`${w}-`))
      if (matches.length === 0) {
        throw new Error(`--only: unknown workload '${w}'; choose from: ${WORKLOADS.join(', ')}`)
      }
      for (const m of matches) if (!only.includes(m)) only.push(m)
    }
  }
  let servers: ServerName[] = [...SERVERS]
  if (values.server !== undefined) {
    if (!(SERVERS as readonly string[]).includes(values.server)) {
      throw new Error(`--server must be one of ${SERVERS.join(', ')}, got '${values.server}'`)
    }
    servers = [values.server as ServerName]
  }
  const seedText = values.seed
  const seed = seedText === undefined ? 1 : Number(seedText)
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a whole number >= 0, got '${seedText}'`)
  return {
    quick,
    only,
    servers,
    sizes: quick ? QUICK_SIZES : FULL_SIZES,
    seed,
    maxRepeats: positiveInt('repeats', values.repeats, quick ? 1 : 3),
    cellBudgetMs: positiveInt('cell-budget-s', values['cell-budget-s'], 3) * 1000,
    emulatorLatencyMs: positiveInt('latency-ms', values['latency-ms'], 20),
    emulatorBandwidthMbps: positiveInt('bandwidth-mbps', values['bandwidth-mbps'], 400),
    keepTemp: values.keep === true,
    help: values.help === true,
  }
}
