// The bench's memory sequence on one daemon, with a reading of where the
// memory is after each step: `node dist/bench/memory-sequence.js [--data
// DIR] [--read] [--snapshots]`. Against rclone serve, one megamount daemon
// started as the bench starts it: cold crawl (find, ls -lR) of tree/, ls -l
// of bigdir/, optionally a cold read of big.bin, then a cold find of the
// 100,000-entry huge/, then idle. Samples VmRSS/VmHWM every 250 ms and
// prints RssAnon/RssFile after each step (docs/performance.md, "Memory").
// --hook FILE: the daemon imports FILE at start (NODE_OPTIONS --import), is
// sent SIGUSR2 after each step and is expected to write
// $MEMHOOK_OUT/hook-<pid>.json (heap figures before and after a full GC);
// they are printed. --huge-only:
// the 100,000-entry crawl alone, on a fresh daemon. --steps LIST: these
// steps in this order instead (browse: find + ls -lR of tree/; find; ls;
// bigdir; read: cat of big.bin; medium: cat of the 500 64 KiB files;
// random: the bench's 2,000 random 4 KiB reads of big.bin; writes: cp of
// 64 MiB, cp -r of 1,000 small files, rsync -a of 2,000, until all are on
// the server; huge), each
// with its own peak (VmHWM is reset before it) and RSS --settle-s after.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as delay } from 'node:timers/promises'
import { generateDataSet, generateHugeTree } from './dataset.js'
import { FULL_SIZES } from './options.js'
import { MegamountMount } from './mounts.js'
import { startRcloneServer, stopServer } from './servers.js'
import { cleanupEverything, dropKernelCaches, runTimed } from './procs.js'
import { readCpuMs } from './memory.js'

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: join(tmpdir(), 'mm-memseq') },
    read: { type: 'boolean', default: false },
    hook: { type: 'string' },
    import: { type: 'string' },
    profile: { type: 'string', default: '{}' },
    'huge-only': { type: 'boolean', default: false },
    'idle-s': { type: 'string', default: '15' },
    steps: { type: 'string' },
    'settle-s': { type: 'string', default: '3' },
  },
})
const base = resolve(values.data!)

function status(pid: number): Record<string, number> {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8')
  const out: Record<string, number> = {}
  for (const key of ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile']) out[key] = Math.round(Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) / 1024)
  return out
}

async function main(): Promise<void> {
  const root = join(base, 'account', 'Bench')
  if (!existsSync(join(base, 'ready-full'))) {
    rmSync(base, { recursive: true, force: true })
    mkdirSync(base, { recursive: true })
    console.log('generating the data set')
    generateDataSet(base, FULL_SIZES, 1)
    generateHugeTree(root, FULL_SIZES.hugeFolders, FULL_SIZES.hugeFilesPerFolder, 1)
    mkdirSync(join(base, 'ready-full'))
  }
  const work = join(base, 'work')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  // --import FILE: only loaded (to try V8 flags at start, say).
  // Added to NODE_OPTIONS, so V8 options given there reach the daemon too.
  const addOption = (option: string) => (process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, option].filter(Boolean).join(' '))
  if (values.import) addOption(`--import=${resolve(values.import)}`)
  if (values.hook) {
    addOption(`--import=${resolve(values.hook)}`)
    process.env.MEMHOOK_OUT = work
  }
  const server = await startRcloneServer(root, work)
  const mount = new MegamountMount(server, work, { daemonMain: resolve('dist/src/bin/megamountd.js'), mountctlMain: resolve('dist/src/bin/mountctl.js') })
  // --profile '{"cacheMaxEntries":5000}': fields added to the bench's profile.
  const profileFile = join(work, `${mount.id}-${server.name}`, 'mounts.json')
  const config = JSON.parse(readFileSync(profileFile, 'utf8')) as { mounts: object[] }
  config.mounts[0] = { ...config.mounts[0], ...JSON.parse(values.profile!) }
  writeFileSync(profileFile, JSON.stringify(config))
  try {
    await mount.start()
    const pid = mount.pids()[0]!
    let peak = 0
    const timer = setInterval(() => (peak = Math.max(peak, status(pid).VmHWM)), 250)
    // The daemon's CPU per step: a memory setting must not cost much of it.
    let cpuBefore = readCpuMs(pid) ?? 0
    const report = async (step: string, ms?: number) => {
      const s = status(pid)
      peak = Math.max(peak, s.VmHWM)
      const cpu = readCpuMs(pid) ?? 0
      console.log(`${step.padEnd(22)} ${ms === undefined ? '        ' : `${(ms / 1000).toFixed(2).padStart(6)} s`}  RSS ${s.VmRSS} MiB (anon ${s.RssAnon}, file ${s.RssFile}), HWM ${s.VmHWM}, CPU ${((cpu - cpuBefore) / 1000).toFixed(2)} s`)
      cpuBefore = cpu
      const reducer = mount.daemonStatus()?.idleMemoryReducer
      if (reducer) console.log(`  idle memory reducer: ${JSON.stringify(reducer)}`)
      await hookReport()
    }
    async function hookReport(): Promise<void> {
      if (!values.hook) return
      const out = join(work, `hook-${pid}.json`)
      rmSync(out, { force: true })
      process.kill(pid, 'SIGUSR2')
      for (let i = 0; i < 100 && !existsSync(out); i++) await delay(100)
      await delay(200)
      console.log('  ' + readFileSync(out, 'utf8'))
    }
    await delay(2000)
    await report('idle, mounted')
    const step = async (name: string, cmd: string, args: string[]) => {
      await mount.makeCold()
      dropKernelCaches()
      const run = await runTimed(cmd, args, { output: 'discard', timeoutMs: 900_000 })
      if (run.code !== 0) throw new Error(`${name}: exit ${run.code} ${run.stderr}`)
      await report(name, run.ms)
    }
    if (values.steps !== undefined) {
      const tree = join(mount.mountpoint, 'tree')
      const big = join(mount.mountpoint, 'big.bin')
      const medium = Array.from({ length: FULL_SIZES.mediumCount }, (_, i) => join(mount.mountpoint, 'medium', `m${String(i).padStart(4, '0')}.bin`))
      const commands: Record<string, Array<[string, string[]]>> = {
        browse: [['find', [tree, '-type', 'f']], ['ls', ['-lR', tree]]],
        find: [['find', [tree, '-type', 'f']]],
        ls: [['ls', ['-lR', tree]]],
        bigdir: [['ls', ['-l', join(mount.mountpoint, 'bigdir')]]],
        read: [['cat', [big]]],
        medium: [['cat', medium]],
        random: [[process.execPath, [resolve('dist/bench/random-read.js'), big, String(FULL_SIZES.bigFileBytes), String(FULL_SIZES.randomReadCount), String(FULL_SIZES.randomReadBytes), '1']]],
        huge: [['find', [join(mount.mountpoint, 'huge')]]],
      }
      const source = join(base, 'write-src')
      let writes = 0
      const writeSteps = (): Array<[string, string[]]> => {
        const rel = `writes-${process.pid}-${++writes}`
        const into = join(mount.mountpoint, rel)
        return [['mkdir', [into]], ['cp', [join(source, 'w64.bin'), into]], ['cp', ['-r', join(source, 'small'), into]], ['rsync', ['-a', `${join(source, 'rsync')}/`, join(into, 'r')]]]
      }
      // Uploads go on after the copies exit: wait until the server has them all, as the bench does.
      const onServer = async () => {
        const rel = join(root, `writes-${process.pid}-${writes}`)
        const count = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(n => !n.startsWith('.')).length : 0)
        const want = 1 + FULL_SIZES.writeSmallCount + FULL_SIZES.rsyncSmallCount
        for (let i = 0; i < 1200 && count(rel) - 2 + count(join(rel, 'small')) + count(join(rel, 'r')) < want; i++) await delay(100)
      }
      for (const name of values.steps.split(',')) {
        const runs = name === 'writes' ? writeSteps() : commands[name]
        if (!runs) throw new Error(`--steps: unknown step ${name}; choose from ${Object.keys(commands).join(', ')}`)
        await mount.makeCold()
        dropKernelCaches()
        // Resets VmHWM to the resident size now: the step's own peak.
        writeFileSync(`/proc/${pid}/clear_refs`, '5')
        const before = status(pid).VmRSS
        let ms = 0
        for (const [cmd, args] of runs) {
          const run = await runTimed(cmd, args, { output: 'discard', timeoutMs: 900_000 })
          if (run.code !== 0) throw new Error(`${name}: exit ${run.code} ${run.stderr}`)
          ms += run.ms
        }
        if (name === 'writes') await onServer()
        const atEnd = status(pid)
        await delay(Number(values['settle-s']) * 1000)
        const settled = status(pid).VmRSS
        console.log(`${name.padEnd(8)} ${(ms / 1000).toFixed(2).padStart(6)} s  RSS ${before} -> peak ${atEnd.VmHWM} -> ${atEnd.VmRSS} at the end -> ${settled} ${values['settle-s']} s later (anon ${atEnd.RssAnon})`)
        peak = Math.max(peak, atEnd.VmHWM)
        await hookReport()
      }
    }
    if (values.steps === undefined && !values['huge-only']) await step('crawl cold, find', 'find', [join(mount.mountpoint, 'tree'), '-type', 'f'])
    if (values.steps === undefined && !values['huge-only']) await step('crawl cold, ls -lR', 'ls', ['-lR', join(mount.mountpoint, 'tree')])
    if (values.steps === undefined && !values['huge-only']) await step('bigdir ls -l', 'ls', ['-l', join(mount.mountpoint, 'bigdir')])
    if (values.steps === undefined && values.read) await step('read big.bin', 'cat', [join(mount.mountpoint, 'big.bin')])
    if (values.steps === undefined) await step('find huge (100,000)', 'find', [join(mount.mountpoint, 'huge')])
    await delay(Number(values['idle-s']) * 1000)
    await report(`idle ${values['idle-s']} s after`)
    clearInterval(timer)
    console.log(`peak (VmHWM) ${peak} MiB`)
  } finally {
    await mount.stop()
    await stopServer(server)
    cleanupEverything()
  }
}

await main()
