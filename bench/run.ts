// `npm run bench`: megamount side by side with rclone mount (cache modes off
// and full) on two servers, with the server-alone and FUSE floors, in one run.
// See docs/performance.md for what each number means.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROFILE_DEFAULTS } from '../src/config/types.js'
import { measureCell } from './cell.js'
import { generateDataSet, generateHugeTree } from './dataset.js'
import { LoadSampler } from './load.js'
import { readMemory, MemorySampler } from './memory.js'
import { describeRestart, restartStep, type RestartStep } from './restart.js'
import { CeilingMount, MegamountMount, RcloneMount, type BenchMount } from './mounts.js'
import { parseBenchArgs, USAGE, type BenchOptions, type ServerName } from './options.js'
import { cleanupEverything, cleanupGracefully, dropKernelCaches, runTimed } from './procs.js'
import { ratios, renderTables, type Cell, type ColumnId, type Results } from './report.js'
import { startEmulator, startRcloneServer, stopServer, type BenchServer } from './servers.js'
import { elapsedMs } from './stats.js'
import { BenchFailure } from './verify.js'
import { expectedHashes, floorWarmup, WORKLOAD_LIST, type Workload, type WorkloadContext } from './workloads.js'

const benchDist = dirname(fileURLToPath(import.meta.url))
const distDir = dirname(benchDist)
const projectDir = dirname(distDir)

const say = (line: string) => process.stderr.write(`${line}\n`)

/** Issue 8: the daemon's peak resident memory over the whole run. */
const PEAK_RSS_TARGET_MIB = 150

interface MemoryStep {
  server: ServerName
  entries: number
  configuredCacheMaxEntries: number
  /** rssAfterKiB: as find exits; rssSettledKiB: SETTLE_MS later, the mount idle. */
  mounts: Partial<Record<ColumnId, { crawlMs: number; rssAfterKiB: number | null; rssSettledKiB?: number | null; error?: string }>>
}

/** The issue's bound on megamount's resident memory after the 100,000-entry
 *  crawl, judged on the settled reading: what top shows once the crawl is
 *  over (megamountd gives memory back when its mounts go quiet,
 *  src/daemon/idle-reducer.ts). */
const RSS_AFTER_HUGE_CRAWL_TARGET_MIB = 90
/** How long after find exits the settled reading is taken. */
const SETTLE_MS = 3_000

function memoryVerdict(rssKiB: number | null | undefined): string {
  if (rssKiB === null || rssKiB === undefined) return ''
  return ` (target on the settled figure <= ${RSS_AFTER_HUGE_CRAWL_TARGET_MIB} MiB: ${rssKiB / 1024 <= RSS_AFTER_HUGE_CRAWL_TARGET_MIB ? 'pass' : 'FAIL'})`
}

function describeHugeCrawl(id: string, m: MemoryStep['mounts'][ColumnId]): string {
  if (m?.error) return `${id} error (${m.error})`
  const mib = (kib: number | null | undefined) => (kib === null || kib === undefined ? '?' : (kib / 1024).toFixed(0))
  return `${id} ${mib(m?.rssAfterKiB)} MiB as find exits, ${mib(m?.rssSettledKiB)} MiB ${SETTLE_MS / 1000} s later, crawl ${((m?.crawlMs ?? 0) / 1000).toFixed(1)} s` +
    (id === 'megamount' ? memoryVerdict(m?.rssSettledKiB) : '')
}

function describeCell(cell: Cell): string {
  if (cell.status !== 'ok') return `${cell.status}${cell.error ? `: ${cell.error}` : ''}`
  const times = cell.runs.map((r) => (r.onServerMs !== undefined ? `${(r.ms / 1000).toFixed(2)}/${(r.onServerMs / 1000).toFixed(2)}` : (r.ms / 1000).toFixed(3)))
  const cpu = cell.runs.map((r) => r.cpuMs).filter((c): c is number => c !== undefined)
  const cpuText = cpu.length > 0 ? `, mount CPU ${cpu.map((c) => (c / 1000).toFixed(2)).join(' ')} s` : ''
  const reads = cell.runs.map((r) => r.kernelReads).filter((c): c is number => c !== undefined)
  const readsText = reads.length > 0 ? `, kernel reads ${reads.join(' ')}` : ''
  const warmup = cell.warmupSkipped ? 'warm-up: the previous cell' : `warm-up ${((cell.warmupMs ?? 0) / 1000).toFixed(2)} s`
  return `${times.join(' ')} s (${warmup}${cpuText}${readsText})`
}

function machine(): Record<string, unknown> {
  const rclone = spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'unknown'
  return {
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: os.release(),
    node: process.version,
    rclone,
  }
}

const MEGAMOUNT_PATHS = {
  daemonMain: join(distDir, 'src', 'bin', 'megamountd.js'),
  mountctlMain: join(distDir, 'src', 'bin', 'mountctl.js'),
}

async function startMounts(server: BenchServer, workDir: string): Promise<{ mounts: BenchMount[]; failed: Map<BenchMount, string> }> {
  const mounts: BenchMount[] = [
    new MegamountMount(server, workDir, MEGAMOUNT_PATHS, 'libfuse3'),
    // For comparison: the fallback backend, side by side.
    new MegamountMount(server, workDir, MEGAMOUNT_PATHS, 'fuse-native'),
    new RcloneMount(server, 'off', workDir),
    new RcloneMount(server, 'full', workDir),
  ]
  const failed = new Map<BenchMount, string>()
  for (const mount of mounts) {
    try {
      await mount.start()
      say(`[${server.name}] ${mount.id} mounted at ${mount.mountpoint}`)
    } catch (err) {
      failed.set(mount, err instanceof Error ? err.message : String(err))
      say(`[${server.name}] ${mount.id} could not be mounted: ${failed.get(mount)}`)
    }
  }
  return { mounts, failed }
}

async function memoryStep(ctx: WorkloadContext, mounts: BenchMount[], failed: Map<BenchMount, string>, entries: number, sampler: MemorySampler): Promise<MemoryStep> {
  const step: MemoryStep = { server: ctx.server.name, entries, configuredCacheMaxEntries: PROFILE_DEFAULTS.cacheMaxEntries, mounts: {} }
  for (const mount of mounts) {
    if (failed.has(mount)) continue
    try {
      sampler.sample()
      await mount.makeCold()
      dropKernelCaches()
      const run = await runTimed('find', [join(mount.mountpoint, 'huge')], { output: 'capture', timeoutMs: 900_000 })
      const lines = (run.stdout ?? '').split('\n').filter(Boolean).length
      if (run.code !== 0) throw new Error(`find exited with ${run.code}: ${run.stderr.slice(0, 300)}`)
      if (lines !== entries + 1) throw new BenchFailure(`find of the ${entries}-entry tree on ${mount.id} printed ${lines} lines, expected ${entries + 1}`)
      sampler.sample()
      const pid = mount.pids()[0]
      const rssAfterKiB = pid ? (readMemory(pid)?.rssKiB ?? null) : null
      // A real-world wait: the mount left idle, as a user looking at top sees it.
      await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
      const rssSettledKiB = pid ? (readMemory(pid)?.rssKiB ?? null) : null
      step.mounts[mount.id] = { crawlMs: run.ms, rssAfterKiB, rssSettledKiB }
      say(`[${ctx.server.name}] memory: ${mount.id} crawled ${entries} entries in ${(run.ms / 1000).toFixed(1)} s, RSS ${rssAfterKiB} KiB as find exits, ${rssSettledKiB} KiB ${SETTLE_MS / 1000} s later`)
    } catch (err) {
      if (err instanceof BenchFailure) throw err
      step.mounts[mount.id] = { crawlMs: NaN, rssAfterKiB: null, error: err instanceof Error ? err.message : String(err) }
    }
  }
  return step
}

async function benchServer(
  server: BenchServer,
  options: BenchOptions,
  ctxBase: Omit<WorkloadContext, 'server'>,
  workDir: string,
  ceiling: CeilingMount | null,
  ceilingCells: Map<string, Cell>,
  sampler: MemorySampler,
  hugeEntries: number | null,
): Promise<{ cells: Results[ServerName]; memory: MemoryStep | null; restart: RestartStep | null }> {
  const ctx: WorkloadContext = { ...ctxBase, server }
  const { mounts, failed } = await startMounts(server, workDir)
  for (const mount of mounts) sampler.track(`${server.name}/${mount.id}`, () => mount.pids())
  const cells: NonNullable<Results[ServerName]> = {}
  const wanted = WORKLOAD_LIST.filter((w) => options.only.includes(w.name))
  const columns: BenchMount[] = ceiling ? [...mounts, ceiling] : mounts
  for (const leader of wanted) {
    // A follower is measured with the workload it follows, on each mount in
    // turn; on its own only when that workload is not part of this run.
    if (leader.follows && wanted.some((w) => w.name === leader.follows)) continue
    const group = [leader, ...wanted.filter((w) => w.follows === leader.name)]
    for (const workload of group) cells[workload.name] = {}
    for (const mount of columns) {
      let previous: Cell | undefined
      for (const workload of group) {
        const row = cells[workload.name] ?? {}
        const cell = await measureOne(workload, mount, workload === leader ? undefined : previous)
        row[mount.id] = cell
        previous = cell
      }
    }
    for (const workload of group) {
      const row = cells[workload.name] ?? {}
      const local = workload.localFloor
      if (local) {
        row['local-disk'] = await measureCell({
          cold: false,
          makeCold: async () => {},
          warmup: null,
          run: () => local(ctx),
          maxRepeats: options.maxRepeats,
          budgetMs: options.cellBudgetMs,
        })
        say(`[${server.name}] ${workload.name} local disk: ${describeCell(row['local-disk'])}`)
      }
      const floor = workload.floor
      if (!floor) continue
      const lanes = workload.floorIsOneRequest ? ([['server-serial', 1]] as const) : ([['server-serial', 1], ['server-parallel-8', 8]] as const)
      for (const [id, parallel] of lanes) {
        const cell = await measureCell({
          cold: workload.cold,
          makeCold: async () => {},
          warmup: () => floorWarmup(ctx),
          run: () => floor(ctx, parallel),
          maxRepeats: options.maxRepeats,
          budgetMs: options.cellBudgetMs,
        })
        row[id] = cell
        if (workload.floorIsOneRequest) row['server-parallel-8'] = cell
        say(`[${server.name}] ${workload.name} ${id}${workload.floorIsOneRequest ? ' (one request: also the 8-parallel floor)' : ''}: ${describeCell(cell)}`)
      }
    }
  }

  async function measureOne(workload: Workload, mount: BenchMount, previous: Cell | undefined): Promise<Cell> {
    if (mount === ceiling && ceilingCells.has(workload.name)) return ceilingCells.get(workload.name) as Cell
    if (mount === ceiling && workload.notOnCeiling) return { status: 'skipped', runs: [] }
    const why = failed.get(mount)
    if (why !== undefined) return { status: 'error', runs: [], error: `not mounted: ${why.split('\n')[0]}` }
    sampler.setPhase(workload.name)
    const cell = await measureCell({
      cold: workload.cold,
      makeCold: async () => {
        sampler.sample()
        await (workload.fresh ? mount.makeFresh() : mount.makeCold())
      },
      warmup: previous?.status === 'ok' ? null : () => workload.warmup(ctx, mount),
      run: () => workload.run(ctx, mount),
      verify: workload.verify ? () => workload.verify!(ctx, mount) : undefined,
      maxRepeats: options.maxRepeats,
      budgetMs: options.cellBudgetMs,
      pids: () => mount.pids(),
    })
    if (mount === ceiling) ceilingCells.set(workload.name, cell)
    say(`[${server.name}] ${workload.name} ${mount.id}: ${describeCell(cell)}`)
    if (cell.status === 'error') {
      // Give the next workload a working mount if a restart can.
      await mount.makeCold().catch((err: unknown) => failed.set(mount, err instanceof Error ? err.message : String(err)))
    }
    return cell
  }
  let memory: MemoryStep | null = null
  sampler.setPhase('memory-huge')
  if (hugeEntries !== null) memory = await memoryStep(ctx, mounts, failed, hugeEntries, sampler)
  sampler.sample()
  for (const mount of mounts) await mount.stop()
  let restart: RestartStep | null = null
  if (options.only.includes('restart')) {
    restart = await restartStep(server, workDir, MEGAMOUNT_PATHS)
    say(`[${server.name}] ${describeRestart(restart)}`)
  }
  return { cells, memory, restart }
}

async function main(): Promise<number> {
  let options: BenchOptions
  try {
    options = parseBenchArgs(process.argv.slice(2))
  } catch (err) {
    say(`bench: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`)
    return 2
  }
  if (options.help) {
    say(USAGE)
    return 0
  }
  if (process.platform !== 'linux') {
    say('bench: the benchmark needs Linux (/proc, fusermount, drop_caches)')
    return 2
  }
  const started = new Date()
  const startNs = process.hrtime.bigint()
  const workDir = mkdtempSync(join(os.tmpdir(), 'mmbench-'))
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      cleanupEverything()
      process.exit(130)
    }
    interrupted = true
    say(`bench: ${signal}: unmounting and stopping everything (again to force)`)
    void cleanupGracefully().finally(() => {
      if (!options.keepTemp) rmSync(workDir, { recursive: true, force: true, maxRetries: 5 })
      process.exit(130)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', () => cleanupEverything())

  try {
    const canDrop = dropKernelCaches()
    if (!canDrop) say('bench: cannot write /proc/sys/vm/drop_caches (not root?): cold runs will only be cold for each tool')
    say(`bench: generating the data set in ${workDir} (seed ${options.seed}${options.quick ? ', quick' : ''})`)
    const genStart = process.hrtime.bigint()
    const data = generateDataSet(workDir, options.sizes, options.seed)
    mkdirSync(join(data.root, 'writes'), { recursive: true })
    // The memory step's tree is made up front, so every server sees it from
    // its start (rclone serve caches folder listings for minutes).
    const hugeEntries = options.only.includes('memory-huge')
      ? generateHugeTree(data.root, options.sizes.hugeFolders, options.sizes.hugeFilesPerFolder, options.seed)
      : null
    const expected = expectedHashes(data, options)
    say(`bench: data set ready in ${(elapsedMs(genStart) / 1000).toFixed(1)} s`)

    const sampler = new MemorySampler()
    sampler.start()
    const loadSampler = new LoadSampler()
    loadSampler.start()
    const readWorkloads = options.only.filter((w) => w !== 'memory-huge' && w !== 'restart')
    let ceiling: CeilingMount | null = null
    if (readWorkloads.length > 0) {
      ceiling = new CeilingMount(data.root, workDir, join(benchDist, 'memfs.js'))
      await ceiling.start()
      say(`bench: FUSE ceiling mounted at ${ceiling.mountpoint}`)
    }
    const ceilingCells = new Map<string, Cell>()
    const results: Results = {}
    const descriptions: Partial<Record<ServerName, string>> = {}
    const memory: MemoryStep[] = []
    const restarts: RestartStep[] = []
    const serverErrors: Partial<Record<ServerName, string>> = {}
    let counter = 0
    const ctxBase = {
      data,
      options,
      benchDist,
      ...expected,
      uniqueName: (prefix: string) => `${prefix}-${++counter}`,
    }
    for (const [index, name] of options.servers.entries()) {
      let server: BenchServer
      try {
        server =
          name === 'rclone'
            ? await startRcloneServer(data.root, workDir)
            : await startEmulator(dirname(data.root), workDir, {
                latencyMs: options.emulatorLatencyMs,
                bandwidthMbps: options.emulatorBandwidthMbps,
                emulatorMain: join(distDir, 'src', 'emulator', 'main.js'),
              })
      } catch (err) {
        serverErrors[name] = err instanceof Error ? err.message : String(err)
        say(`bench: server ${name} did not start: ${serverErrors[name]}`)
        continue
      }
      descriptions[name] = server.description
      say(`bench: ${server.description} at ${server.url}`)
      try {
        const outcome = await benchServer(server, options, ctxBase, workDir, ceiling, ceilingCells, sampler, index === 0 || memory.length === 0 ? hugeEntries : null)
        results[name] = outcome.cells
        if (outcome.memory) memory.push(outcome.memory)
        if (outcome.restart) restarts.push(outcome.restart)
      } finally {
        await stopServer(server)
        rmSync(join(data.root, 'writes'), { recursive: true, force: true })
        mkdirSync(join(data.root, 'writes'), { recursive: true })
      }
    }
    if (ceiling) await ceiling.stop()
    sampler.stop()
    const load = loadSampler.stop()

    const tables = renderTables(results, options.sizes, descriptions)
    const peaks = Object.fromEntries(sampler.peakKiB)
    const lines: string[] = ['', tables, '']
    lines.push('Peak resident memory during the bench (VmHWM, MiB): ' + Object.entries(peaks).map(([id, kib]) => `${id} ${(kib / 1024).toFixed(0)}`).join(', '))
    const megamountPeakMiB = Math.max(0, ...Object.entries(peaks).filter(([id]) => id.endsWith('/megamount')).map(([, kib]) => kib / 1024))
    if (megamountPeakMiB > 0) lines.push(`Peak megamount daemon memory over the whole run: ${megamountPeakMiB.toFixed(0)} MiB (target <= ${PEAK_RSS_TARGET_MIB} MiB): ${megamountPeakMiB <= PEAK_RSS_TARGET_MIB ? 'pass' : '**FAIL**'}`)
    const peakRises = Object.fromEntries([...sampler.peakRisesKiB].map(([id, rises]) => [id, Object.fromEntries(rises)]))
    for (const [id, rises] of Object.entries(peakRises)) {
      if (!id.endsWith('/megamount') && !id.endsWith('/megamount-fuse-native')) continue
      const big = Object.entries(rises).filter(([, kib]) => kib >= 1024).sort((a, b) => b[1] - a[1])
      if (big.length > 0) lines.push(`Where ${id}'s peak rose (MiB): ${big.map(([phase, kib]) => `${phase} +${(kib / 1024).toFixed(0)}`).join(', ')}`)
    }
    for (const step of memory) {
      lines.push(`Resident memory after a cold crawl of ${step.entries.toLocaleString('en-US')} entries on ${step.server} (megamount cacheMaxEntries ${step.configuredCacheMaxEntries.toLocaleString('en-US')}): ` +
        Object.entries(step.mounts).map(([id, m]) => describeHugeCrawl(id, m)).join('; '))
    }
    for (const step of restarts) lines.push(describeRestart(step))
    for (const [name, why] of Object.entries(serverErrors)) lines.push(`Server ${name} was not measured: ${why}`)
    const durationS = elapsedMs(startNs) / 1000
    const loadText = load ? ` Machine load during the run (/proc/loadavg, 1 min, ${os.cpus().length} cores): min ${load.min.toFixed(1)}, mean ${load.mean.toFixed(1)}, max ${load.max.toFixed(1)}.` : ''
    lines.push(`Total time ${(durationS / 60).toFixed(1)} min (${durationS.toFixed(0)} s).${loadText}`)
    process.stdout.write(`${lines.join('\n')}\n`)

    const resultsDir = join(projectDir, 'bench', 'results')
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`)
    writeFileSync(file, JSON.stringify({
      startedAt: started.toISOString(),
      durationS,
      machine: machine(),
      options: { ...options, only: options.only, dropCaches: canDrop },
      servers: descriptions,
      serverErrors,
      results,
      ratios: ratios(results, options.sizes),
      peakMemoryKiB: peaks,
      peakRisesKiB: peakRises,
      loadAverage: load,
      memoryAfterHugeCrawl: memory,
      restartFromStore: restarts,
    }, null, 2))
    say(`bench: raw numbers in ${file}`)
    const anyError = Object.values(results).some((byWorkload) =>
      Object.values(byWorkload ?? {}).some((row) => Object.values(row ?? {}).some((cell) => cell?.status === 'error')))
    return anyError || Object.keys(serverErrors).length > 0 ? 1 : 0
  } catch (err) {
    if (err instanceof BenchFailure) say(`\nbench: FAILED, WRONG DATA: ${err.message}\n`)
    else say(`bench: failed: ${err instanceof Error ? err.stack : String(err)}`)
    return 1
  } finally {
    await cleanupGracefully()
    if (!options.keepTemp) rmSync(workDir, { recursive: true, force: true, maxRetries: 5 })
    else say(`bench: kept ${workDir}`)
  }
}

process.exitCode = await main()
