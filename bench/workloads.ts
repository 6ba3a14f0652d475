// The workloads: what each one does through a mount, what the same work is
// for the server alone (the floor), and how its answer is checked.
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { DataSet } from './dataset.js'
import { crawl, getFile, getFileBytes, getFileSha256, listFolder, makeFolder, putFile, runQueue } from './http-floor.js'
import { MegamountMount, type BenchMount } from './mounts.js'
import type { BenchOptions, WorkloadName } from './options.js'
import { waitUntilOnServer } from './on-server.js'
import { runTimed, type TimedRun } from './procs.js'
import { sha256 } from './prng.js'
import { randomOffsets } from './random-offsets.js'
import type { BenchServer } from './servers.js'
import { elapsedMs } from './stats.js'
import { BenchFailure, checkFileList, checkHash, checkSizes, concatenatedSha256, parseLsSizes } from './verify.js'

export interface RunResult {
  /** Until the command returned (for writes: until every file was closed). */
  ms: number
  /** Writes only: until every file was on the server with the right bytes. */
  onServerMs?: number
  /** CPU time the mount's own processes used during the run (not the bench's). */
  cpuMs?: number
  /** megamount on libfuse 3: read requests the kernel sent during the run. */
  kernelReads?: number
  /** Floors only: the run timed 1/sampleDivisor of the requests (every one
   *  checked) and ms/onServerMs were scaled up by sampleDivisor. */
  sampleDivisor?: number
}

/** Serial floors of workloads made of many independent requests time one
 *  request in SERIAL_FLOOR_SAMPLE and scale: serial time is the sum of the
 *  requests' times, and the full serial runs (46 s of random reads on the
 *  emulator) would cost the bench its time budget. */
export const SERIAL_FLOOR_SAMPLE = 4

function sampleOf<T>(items: T[], parallel: number): T[] {
  if (parallel !== 1) return items
  return items.filter((_, i) => i % SERIAL_FLOOR_SAMPLE === 0)
}

function scaled(result: { ms: number; onServerMs?: number }, all: number, timed: number): RunResult {
  if (timed === all) return result
  const k = all / timed
  return { ms: result.ms * k, ...(result.onServerMs !== undefined ? { onServerMs: result.onServerMs * k } : {}), sampleDivisor: k }
}

export const READ_ONLY = 'read-only' as const

export interface WorkloadContext {
  data: DataSet
  options: BenchOptions
  server: BenchServer
  randomReadSha256: string
  mediumSha256: string
  /** Absolute path of dist/bench, for the child programs. */
  benchDist: string
  /** A fresh name for each write run, so runs never collide. */
  uniqueName(prefix: string): string
}

export interface Workload {
  name: WorkloadName
  /** Each timed run starts cold: the tool's caches and the kernel's emptied. */
  cold: boolean
  /** Cold, and in a new process of the tool (makeFresh), as at login. */
  fresh?: boolean
  /** The in-memory FUSE ceiling cannot do it (it has no rename). */
  notOnCeiling?: boolean
  /** A lighter run that exercises the same paths before timing. */
  warmup(ctx: WorkloadContext, mount: BenchMount): Promise<unknown>
  /** Measured on each mount right after this workload's cell, whose last
   *  run leaves the mount as this workload's warm-up would: then the
   *  warm-up is skipped (it would only repeat a run just made). */
  follows?: WorkloadName
  /** The floor is one request: serial and 8 parallel are the same thing,
   *  so it is measured once and shown in both columns. */
  floorIsOneRequest?: boolean
  run(ctx: WorkloadContext, mount: BenchMount): Promise<RunResult | typeof READ_ONLY>
  /** Checks the bytes after the timed runs, untimed, when run does not. */
  verify?(ctx: WorkloadContext, mount: BenchMount): Promise<void>
  /** The same requests sent by a plain HTTP client, `parallel` at a time. */
  floor?(ctx: WorkloadContext, parallel: number): Promise<RunResult>
  /** The same work on a local disk, for writes: what a copy costs without
   *  any network filesystem. */
  localFloor?(ctx: WorkloadContext): Promise<RunResult>
}

/** The floors' warm-up: one listing of the served folder warms the server
 *  and this client without repeating a whole (sometimes minute-long) run. */
export async function floorWarmup(ctx: WorkloadContext): Promise<void> {
  await listFolder(ctx.server.url, '')
}

const COMMAND_TIMEOUT_MS = 600_000
const ON_SERVER_TIMEOUT_MS = 300_000

async function command(what: string, cmd: string, args: string[], output: 'hash' | 'capture' | 'ignore' | 'discard'): Promise<TimedRun> {
  const run = await runTimed(cmd, args, { output, timeoutMs: COMMAND_TIMEOUT_MS })
  if (run.code !== 0) throw new Error(`${what}: ${cmd} ${args.join(' ')} exited with ${run.code}: ${run.stderr.trim().slice(0, 500)}`)
  return run
}

function stripMount(mount: BenchMount, lines: string): string[] {
  const prefix = `${mount.mountpoint}/`
  return lines.split('\n').filter(Boolean).map((l) => (l.startsWith(prefix) ? l.slice(prefix.length) : l))
}

async function findTree(ctx: WorkloadContext, mount: BenchMount): Promise<RunResult> {
  const run = await command('find', 'find', [join(mount.mountpoint, 'tree'), '-type', 'f'], 'capture')
  checkFileList(`find on ${mount.id}`, stripMount(mount, run.stdout ?? ''), ctx.data.treeFiles)
  return { ms: run.ms }
}

async function lsTree(ctx: WorkloadContext, mount: BenchMount): Promise<RunResult> {
  const run = await command('ls -lR', 'ls', ['-lR', join(mount.mountpoint, 'tree')], 'capture')
  checkSizes(`ls -lR on ${mount.id}`, parseLsSizes(run.stdout ?? '', mount.mountpoint, 'tree'), ctx.data.treeFiles, ctx.data.files)
  return { ms: run.ms }
}

/** A light warm-up: list one top folder. */
async function lsOneFolder(_ctx: WorkloadContext, mount: BenchMount): Promise<void> {
  await command('ls -lR', 'ls', ['-lR', join(mount.mountpoint, 'tree', 't00')], 'ignore')
}

async function crawlFloor(ctx: WorkloadContext, parallel: number): Promise<RunResult> {
  const start = process.hrtime.bigint()
  const files = await crawl(ctx.server.url, 'tree', parallel)
  const ms = elapsedMs(start)
  checkFileList('PROPFIND crawl of the server', files, ctx.data.treeFiles)
  return { ms }
}

/** Reads the large file from start to end, as `cat > /dev/null`: the bytes
 *  never pass through the bench. Hashing them in the timed run (piped into
 *  the bench, or by sha256sum) cost every mount the same 0.3 to 1 s of CPU,
 *  more than a read from the page cache takes, and hid the difference
 *  between mounts; the bytes are checked by verifyBig after the cell. */
async function readBig(_ctx: WorkloadContext, mount: BenchMount): Promise<RunResult> {
  const before = kernelReads(mount)
  const run = await command('cat', 'cat', [join(mount.mountpoint, _ctx.data.bigFile)], 'discard')
  const after = kernelReads(mount)
  return { ms: run.ms, ...(before !== null && after !== null ? { kernelReads: after - before } : {}) }
}

/** Read requests the kernel sent to megamount's libfuse 3 layer so far. */
function kernelReads(mount: BenchMount): number | null {
  return mount instanceof MegamountMount ? (mount.kernelStats()?.reads ?? null) : null
}

/** The large file read once more through the mount, untimed, and hashed. */
async function verifyBig(ctx: WorkloadContext, mount: BenchMount): Promise<void> {
  const run = await command('cat', 'cat', [join(mount.mountpoint, ctx.data.bigFile)], 'hash')
  checkHash(`cat ${ctx.data.bigFile} on ${mount.id}`, run.stdoutSha256, ctx.data.files.get(ctx.data.bigFile)?.sha256 ?? '')
}

/** Makes the write's destination folder through the mount; null when the mount refuses writes. */
async function writeFolder(ctx: WorkloadContext, mount: BenchMount, prefix: string): Promise<string | null> {
  const rel = `writes/${ctx.uniqueName(`${ctx.server.name}-${mount.id}-${prefix}`)}`
  try {
    await mkdir(join(mount.mountpoint, rel), { recursive: true })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EROFS') return null
    throw err
  }
  return rel
}

async function timeWrite(
  ctx: WorkloadContext,
  mount: BenchMount,
  rel: string,
  copy: () => Promise<TimedRun>,
  expected: Map<string, { size: number; sha256: string }>,
  subfolder: string,
): Promise<RunResult> {
  const start = process.hrtime.bigint()
  const run = await copy()
  if (!mount.writesReachServer) {
    // The ceiling keeps writes in memory: check them by reading them back.
    for (const [name, fact] of expected) {
      const back = await command('cat', 'cat', [join(mount.mountpoint, rel, subfolder, name)], 'hash')
      checkHash(`read-back of ${name} on ${mount.id}`, back.stdoutSha256, fact.sha256)
    }
    return { ms: run.ms, onServerMs: run.ms }
  }
  await waitUntilOnServer(join(ctx.server.root, rel, subfolder), expected, ON_SERVER_TIMEOUT_MS)
  return { ms: run.ms, onServerMs: elapsedMs(start) }
}

async function writeBig(ctx: WorkloadContext, mount: BenchMount): Promise<RunResult | typeof READ_ONLY> {
  const rel = await writeFolder(ctx, mount, 'big')
  if (rel === null) return READ_ONLY
  const expected = new Map([['w64.bin', ctx.data.writeBigFact]])
  return timeWrite(ctx, mount, rel, () => command('cp', 'cp', [ctx.data.writeBigSource, join(mount.mountpoint, rel, 'w64.bin')], 'ignore'), expected, '')
}

async function writeSmall(ctx: WorkloadContext, mount: BenchMount, count?: number): Promise<RunResult | typeof READ_ONLY> {
  const rel = await writeFolder(ctx, mount, 'small')
  if (rel === null) return READ_ONLY
  const all = ctx.data.writeSmallFiles
  if (count === undefined) {
    // cp -r creates the folder 'small' itself, as a user's copy would.
    return timeWrite(ctx, mount, rel, () => command('cp -r', 'cp', ['-r', ctx.data.writeSmallSourceDir, join(mount.mountpoint, rel, 'small')], 'ignore'), all, 'small')
  }
  const some = new Map([...all].slice(0, count))
  const sources = [...some.keys()].map((n) => join(ctx.data.writeSmallSourceDir, n))
  return timeWrite(ctx, mount, rel, () => command('cp', 'cp', [...sources, join(mount.mountpoint, rel)], 'ignore'), some, '')
}

async function rsyncSmall(ctx: WorkloadContext, mount: BenchMount): Promise<RunResult | typeof READ_ONLY> {
  const rel = await writeFolder(ctx, mount, 'rsync')
  if (rel === null) return READ_ONLY
  return timeWrite(ctx, mount, rel, () => command('rsync -a', 'rsync', ['-a', `${ctx.data.rsyncSourceDir}/`, join(mount.mountpoint, rel, 'r')], 'ignore'), ctx.data.rsyncFiles, 'r')
}

export const WORKLOAD_LIST: Workload[] = [
  {
    // A first browse as users meet it: the tool just started (at login),
    // nothing listed yet, its JIT cold; find, then ls -lR right after.
    name: 'first-browse',
    cold: true,
    fresh: true,
    warmup: lsOneFolder,
    async run(ctx, mount) {
      const find = await findTree(ctx, mount)
      const ls = await lsTree(ctx, mount)
      return { ms: find.ms + ls.ms }
    },
  },
  {
    name: 'crawl-cold-find',
    cold: true,
    warmup: lsOneFolder,
    run: findTree,
    floor: crawlFloor,
  },
  {
    name: 'crawl-cold-ls',
    cold: true,
    warmup: lsOneFolder,
    run: lsTree,
    floor: crawlFloor,
  },
  {
    name: 'crawl-warm-find',
    cold: false,
    follows: 'crawl-cold-find',
    warmup: findTree,
    run: findTree,
  },
  {
    name: 'crawl-warm-ls',
    cold: false,
    follows: 'crawl-cold-ls',
    warmup: lsTree,
    run: lsTree,
  },
  {
    name: 'bigdir-ls',
    cold: true,
    floorIsOneRequest: true,
    warmup: lsOneFolder,
    async run(ctx, mount) {
      const run = await command('ls -l', 'ls', ['-l', join(mount.mountpoint, 'bigdir')], 'capture')
      checkSizes(`ls -l bigdir on ${mount.id}`, parseLsSizes(run.stdout ?? '', mount.mountpoint, 'bigdir'), ctx.data.bigdirFiles, ctx.data.files)
      return { ms: run.ms }
    },
    async floor(ctx) {
      const start = process.hrtime.bigint()
      const entries = await listFolder(ctx.server.url, 'bigdir')
      const ms = elapsedMs(start)
      checkFileList('PROPFIND of bigdir', entries.map((e) => e.path), ctx.data.bigdirFiles)
      return { ms }
    },
  },
  {
    name: 'seq-cold',
    cold: true,
    floorIsOneRequest: true,
    async warmup(ctx, mount) {
      await command('head', 'head', ['-c', String(4 * 1024 * 1024), join(mount.mountpoint, ctx.data.bigFile)], 'ignore')
    },
    run: readBig,
    verify: verifyBig,
    async floor(ctx) {
      // Timed as the mounts' `cat > /dev/null` is: bytes dropped, not hashed
      // (hashing 256 MiB took this client longer than the transfer). The
      // bytes are checked in a second, untimed GET.
      const start = process.hrtime.bigint()
      const bytes = await getFileBytes(ctx.server.url, ctx.data.bigFile)
      const ms = elapsedMs(start)
      const want = ctx.data.files.get(ctx.data.bigFile)
      if (bytes !== want?.size) throw new BenchFailure(`GET of the large file: ${bytes} bytes, the source has ${want?.size}`)
      checkHash('GET of the large file', await getFileSha256(ctx.server.url, ctx.data.bigFile), want.sha256)
      return { ms }
    },
  },
  {
    // The warm-up is the first read (seq-cold's last run when it came just
    // before); the timed runs read it again.
    name: 'seq-again',
    cold: false,
    follows: 'seq-cold',
    warmup: verifyBig,
    run: readBig,
    verify: verifyBig,
  },
  {
    name: 'medium-cat',
    cold: true,
    async warmup(ctx, mount) {
      await command('cat', 'cat', ctx.data.mediumFiles.slice(0, 10).map((f) => join(mount.mountpoint, f)), 'ignore')
    },
    async run(ctx, mount) {
      const run = await command('cat', 'cat', ctx.data.mediumFiles.map((f) => join(mount.mountpoint, f)), 'hash')
      checkHash(`cat of the ${ctx.data.mediumFiles.length} medium files on ${mount.id}`, run.stdoutSha256, ctx.mediumSha256)
      return { ms: run.ms }
    },
    async floor(ctx, parallel) {
      const files = sampleOf(ctx.data.mediumFiles, parallel)
      const queue = files.map((f) => async () => {
        const body = await getFile(ctx.server.url, f)
        checkHash(`GET ${f}`, sha256(body), ctx.data.files.get(f)?.sha256 ?? '')
      })
      const start = process.hrtime.bigint()
      await runQueue(parallel, queue)
      return scaled({ ms: elapsedMs(start) }, ctx.data.mediumFiles.length, files.length)
    },
  },
  {
    name: 'random-read',
    cold: true,
    async warmup(ctx, mount) {
      await randomReads(ctx, mount, 50, ctx.options.seed + 1)
    },
    async run(ctx, mount) {
      const run = await randomReads(ctx, mount, ctx.options.sizes.randomReadCount, ctx.options.seed)
      checkHash(`random reads on ${mount.id}`, run.stdout?.trim(), ctx.randomReadSha256)
      return { ms: run.ms }
    },
    async floor(ctx, parallel) {
      const block = ctx.options.sizes.randomReadBytes
      const all = randomOffsets(ctx.options.seed, ctx.options.sizes.randomReadCount, ctx.options.sizes.bigFileBytes, block)
      const offsets = sampleOf(all, parallel)
      const blocks: Buffer[] = new Array(offsets.length)
      const queue = offsets.map((offset, i) => async () => {
        blocks[i] = await getFile(ctx.server.url, ctx.data.bigFile, [offset, offset + block - 1])
      })
      const start = process.hrtime.bigint()
      await runQueue(parallel, queue)
      const ms = elapsedMs(start)
      const expected = offsets.length === all.length ? ctx.randomReadSha256 : blocksSha256(join(ctx.data.root, ctx.data.bigFile), offsets, block)
      checkHash('ranged GETs of the large file', sha256(Buffer.concat(blocks)), expected)
      return scaled({ ms }, all.length, offsets.length)
    },
  },
  {
    name: 'write-big',
    cold: false,
    floorIsOneRequest: true,
    warmup: (ctx, mount) => writeSmall(ctx, mount, 10),
    run: writeBig,
    async floor(ctx) {
      const rel = `writes/${ctx.uniqueName(`${ctx.server.name}-floor-big`)}`
      await makeFolder(ctx.server.url, rel)
      const start = process.hrtime.bigint()
      await putFile(ctx.server.url, `${rel}/w64.bin`, ctx.data.writeBigSource, ctx.data.writeBigFact.size)
      const ms = elapsedMs(start)
      await waitUntilOnServer(join(ctx.server.root, rel), new Map([['w64.bin', ctx.data.writeBigFact]]), ON_SERVER_TIMEOUT_MS)
      return { ms, onServerMs: elapsedMs(start) }
    },
  },
  {
    // Its warm-up (10 small files) is write-big's warm-up: skipped after it.
    name: 'write-small',
    cold: false,
    follows: 'write-big',
    warmup: (ctx, mount) => writeSmall(ctx, mount, 10),
    run: (ctx, mount) => writeSmall(ctx, mount),
    async localFloor(ctx) {
      const dest = join(await mkdtemp(join(tmpdir(), 'mmbench-local-')), 'cp-local')
      const run = await command('cp -r', 'cp', ['-r', ctx.data.writeSmallSourceDir, dest], 'ignore')
      await rm(dirname(dest), { recursive: true, force: true })
      return { ms: run.ms }
    },
    async floor(ctx, parallel) {
      const rel = `writes/${ctx.uniqueName(`${ctx.server.name}-floor-small`)}`
      await makeFolder(ctx.server.url, rel)
      const allFiles = ctx.data.writeSmallFiles
      const files = new Map(sampleOf([...allFiles], parallel))
      const start = process.hrtime.bigint()
      await makeFolder(ctx.server.url, `${rel}/small`)
      const queue = [...files].map(([name, fact]) => () => putFile(ctx.server.url, `${rel}/small/${name}`, join(ctx.data.writeSmallSourceDir, name), fact.size))
      await runQueue(parallel, queue)
      const ms = elapsedMs(start)
      await waitUntilOnServer(join(ctx.server.root, rel, 'small'), files, ON_SERVER_TIMEOUT_MS)
      return scaled({ ms, onServerMs: elapsedMs(start) }, allFiles.size, files.size)
    },
  },
  {
    name: 'rsync-small',
    cold: false,
    notOnCeiling: true,
    warmup: (ctx, mount) => writeSmall(ctx, mount, 10),
    run: rsyncSmall,
    async localFloor(ctx) {
      const dest = join(await mkdtemp(join(tmpdir(), 'mmbench-local-')), 'rsync-local')
      const run = await command('rsync -a', 'rsync', ['-a', `${ctx.data.rsyncSourceDir}/`, dest], 'ignore')
      await rm(dirname(dest), { recursive: true, force: true })
      return { ms: run.ms }
    },
  },
]

function randomReads(ctx: WorkloadContext, mount: BenchMount, count: number, seed: number): Promise<TimedRun> {
  const { sizes } = ctx.options
  return command('random reads', process.execPath, [
    join(ctx.benchDist, 'random-read.js'),
    join(mount.mountpoint, ctx.data.bigFile),
    String(sizes.bigFileBytes),
    String(count),
    String(sizes.randomReadBytes),
    String(seed),
  ], 'capture')
}

/** Expected answers computed once from the source files. */
export function expectedHashes(data: DataSet, options: BenchOptions): { randomReadSha256: string; mediumSha256: string } {
  const { sizes } = options
  const offsets = randomOffsets(options.seed, sizes.randomReadCount, sizes.bigFileBytes, sizes.randomReadBytes)
  return {
    randomReadSha256: blocksSha256(join(data.root, data.bigFile), offsets, sizes.randomReadBytes),
    mediumSha256: concatenatedSha256(data.root, data.mediumFiles),
  }
}

function blocksSha256(file: string, offsets: number[], block: number): string {
  const hash = createHash('sha256')
  const buffer = Buffer.alloc(block)
  const fd = openSync(file, 'r')
  try {
    for (const offset of offsets) {
      const n = readSync(fd, buffer, 0, block, offset)
      if (n !== block) throw new BenchFailure(`source file ${file} is shorter than expected`)
      hash.update(buffer)
    }
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}
