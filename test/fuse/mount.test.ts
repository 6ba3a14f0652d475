// Real kernel mounts of MegaFs over the fake remote, served by a child
// process: the functional cases through the kernel, read-ahead through the
// kernel, and clear errors from mountFuse.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as nodeFs from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { silentLogger } from '../../src/log.js'
import { checkCanMount, MountError } from '../../src/fuse/mount.js'
import { patternBuffer } from '../helpers/fake-remote.js'
import { runFsCases, sha256 } from '../helpers/fs-cases.js'
import { mountDriver } from '../helpers/fs-drivers.js'
import { startMountChild } from '../helpers/mount-child-process.js'

void silentLogger

for (const readOnly of [false, true]) {
  t.test(`through a real mount, readOnly ${readOnly}`, async t => {
    const child = await startMountChild(readOnly ? ['--read-only'] : [])
    t.teardown(() => child.stop())
    await runFsCases(t, mountDriver(child.mountpoint), { readOnly })
    const st = await nodeFs.statfs(child.mountpoint)
    t.equal(st.blocks * st.bsize, 2 ** 50, 'df: 1 PiB when the quota is unknown')
  })
}

t.test('64 MiB sequential read through the kernel costs at most 16 GETs', async t => {
  const child = await startMountChild(['--big-mib', '64'])
  t.teardown(() => child.stop())
  const data = await nodeFs.readFile(join(child.mountpoint, 'big64.bin'))
  t.equal(sha256(data), sha256(patternBuffer(64 * 1024 * 1024, 64)))
  const { reads } = await child.stats()
  const big = reads!.filter(r => (r as { path?: string }).path === '/big64.bin')
  t.ok(big.length <= 16, `${big.length} GETs`)
  t.comment(`64 MiB read in ${big.length} GETs`)
})

t.test('mountFuse refuses bad mountpoints with a message that says what to do', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-check-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const reason = async (p: string) => {
    try {
      await checkCanMount(p)
      return 'ok'
    } catch (err) {
      t.ok(err instanceof MountError)
      return `${(err as MountError).reason}: ${(err as Error).message}`
    }
  }
  t.match(await reason(join(dir, 'missing')), /^no-mountpoint: .*mkdir -p/)
  await writeFile(join(dir, 'file'), 'x')
  t.match(await reason(join(dir, 'file')), /^not-a-folder/)
  t.match(await reason(dir), /^not-empty: .*choose an empty folder/)
  await rm(join(dir, 'file'))
  t.equal(await reason(dir), 'ok')
})

t.test('an operation that never finishes fails with ETIMEDOUT after the bound', async t => {
  const child = await startMountChild(['--big-mib', '8', '--op-timeout-ms', '2000'])
  t.teardown(() => child.stop())
  await nodeFs.stat(join(child.mountpoint, 'big64.bin'))
  await child.command('hang read')
  const started = Date.now()
  await t.rejects(nodeFs.readFile(join(child.mountpoint, 'big64.bin')), { code: 'ETIMEDOUT' })
  t.ok(Date.now() - started < 10_000, `failed after ${Date.now() - started} ms, not hung`)
  await child.command('unhang read')
  t.equal((await nodeFs.readFile(join(child.mountpoint, 'big64.bin'))).length, 8 * 1024 * 1024, 'the next read works')
})
