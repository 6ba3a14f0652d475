// An unmounted filesystem must become garbage at once, so its read-ahead
// windows and caches (tens of MiB after a large read) are freed by V8's next
// collection. A timer of the unmount kept it alive for 10 s: five cold reads
// of 256 MiB, each followed by a remount, held about 40 MiB more each.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { loadAddon } from '../../../src/fuse/libfuse3/addon.js'
import { mountFuse } from '../../../src/fuse/mount.js'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { FakeRemote, patternBuffer, testOptions } from '../../helpers/fake-remote.js'
import { fullGc } from '../../helpers/full-gc.js'
import { ManualTime } from '../../helpers/manual-time.js'

const MiB = 1024 * 1024
const canMount = process.getuid?.() === 0 && loadAddon().ok

// Everything of the mount stays inside this function: the caller keeps only
// a weak reference to the filesystem core.
async function mountReadUnmount(dir: string): Promise<WeakRef<MegaFs>> {
  const content = patternBuffer(8 * MiB, 3)
  const remote = new FakeRemote().addFile('/big.bin', content)
  const fs = new MegaFs({ remote, options: testOptions({ readOnly: true }), logger: silentLogger, time: new ManualTime(), stateDir: join(dir, 'state') })
  const mount = await mountFuse(join(dir, 'mnt'), fs, { logger: silentLogger, readOnly: true, fsName: 'megamount:test', opTimeoutMs: 30_000, backend: 'libfuse3' })
  try {
    t.ok((await readFile(join(dir, 'mnt', 'big.bin'))).equals(content), 'read through the mount')
  } finally {
    await mount.unmount()
    await fs.close()
  }
  return new WeakRef(fs)
}

t.test('an unmounted libfuse 3 filesystem is collected within a second of unmount', { skip: canMount ? false : 'needs root and the libfuse 3 binding' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-release-'))
  await mkdir(join(dir, 'mnt'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const core = await mountReadUnmount(dir)
  // Collected within a second, not at the first collection: on a loaded
  // machine a disk write of the read path may still be finishing. The hold
  // this guards against lasted 10 s.
  // (deref keeps its target alive until the end of the current turn, hence
  // the next turn before each collection.)
  for (let waited = 0; ; waited += 50) {
    await nextTurn()
    fullGc()
    if (core.deref() === undefined || waited >= 1000) break
    await sleep(50)
  }
  t.equal(core.deref(), undefined, 'nothing holds the filesystem core a second after unmount')
})
