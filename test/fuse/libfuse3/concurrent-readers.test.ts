// 100 programs reading through one mount at once, five times over: every
// byte right, no crash, and the mount's memory flat from one round to the
// next (read buffers are reused, nothing is kept per request). Run under
// AddressSanitizer by scripts/asan-check.sh.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BridgeEmulator } from '../../../src/emulator/bridge.js'
import { patternBuffer } from '../../helpers/fake-remote.js'
import { sha256 } from '../../helpers/fs-cases.js'
import { startMountChild } from '../../helpers/mount-child-process.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const FILES = 20
const READERS = 100
const ROUNDS = 5
const content = (i: number) => patternBuffer(MiB + i * 4096, 100 + i)

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

t.test(`${READERS} concurrent readers, ${ROUNDS} rounds: intact, and memory flat`, async t => {
  const root = await mkdtemp(join(tmpdir(), 'megamount-readers-'))
  const drive = join(root, 'account', 'Drive')
  await mkdir(drive, { recursive: true })
  for (let i = 0; i < FILES; i++) await writeFile(join(drive, `f${i}.bin`), content(i))
  const emulator = new BridgeEmulator({ accountRoot: join(root, 'account') })
  await emulator.start()
  t.teardown(async () => {
    await emulator.stop()
    await rm(root, { recursive: true, force: true })
  })
  // No disk cache and a small memory one: every round reads through the
  // kernel and the daemon again, not from a cache that grows.
  const child = await startMountChild(['--backend', 'libfuse3', '--url', emulator.serve('/Drive')])
  t.teardown(() => child.stop())
  const want = Array.from({ length: FILES }, (_, i) => sha256(content(i)))
  const rss: number[] = []
  const idle = await residentBytes(child.process.pid!)
  for (let round = 0; round < ROUNDS; round++) {
    // Each reader drops the kernel's pages first, so the reads reach the mount.
    const results = await Promise.all(
      Array.from({ length: READERS }, async (_, r) => {
        const i = (r * 7 + round) % FILES
        const { stdout } = await run('dd', [`if=${join(child.mountpoint, `f${i}.bin`)}`, 'iflag=direct', 'bs=1M', 'status=none'], { encoding: 'buffer', maxBuffer: 4 * MiB })
        return sha256(stdout) === want[i]
      }),
    )
    t.equal(results.filter(ok => !ok).length, 0, `round ${round + 1}: every reader got the right bytes`)
    rss.push(await residentBytes(child.process.pid!))
  }
  const growth = rss[ROUNDS - 1]! - rss[1]!
  t.comment(`mount RSS (MiB): ${(idle / MiB).toFixed(1)} before the readers; after each round ${rss.map(b => (b / MiB).toFixed(1)).join(', ')}`)
  t.ok(growth < 24 * MiB, `RSS flat after the first rounds (grew ${(growth / MiB).toFixed(1)} MiB from round 2 to ${ROUNDS})`)
})
