// A server whose GET bodies are not the bytes asked for, through a real
// mount: a short 206 with a matching Content-Length, a chunked body shorter
// than its Content-Range, an honest but short Content-Range, and a gzip
// body. No program ever reads wrong bytes or sees a wrong size: cat fails
// with EIO, stat keeps the listed size, and once the server is fixed the
// file reads whole, byte for byte, with no refresh. The mount (with a disk
// cache, which must not keep anything either) lives in a child process; the
// files are read by cat and stat processes, so the tap process, which serves
// the emulator, never blocks on the mount.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { BODY_FAULTS } from '../../src/emulator/body-faults.js'
import { BridgeEmulator } from '../../src/emulator/bridge.js'
import { patternBuffer } from '../helpers/fake-remote.js'
import { sha256 } from '../helpers/fs-cases.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const files = { 'big.bin': patternBuffer(4 * MiB, 51), 'small.bin': patternBuffer(300_000, 52) }

let emulator: BridgeEmulator
let child: MountChild
let root: string

t.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'megamount-broken-bodies-'))
  const drive = join(root, 'account', 'Drive')
  await mkdir(drive, { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeFile(join(drive, name), content)
  emulator = new BridgeEmulator({ accountRoot: join(root, 'account') })
  await emulator.start()
  child = await startMountChild(['--url', emulator.serve('/Drive'), '--state-dir', join(root, 'state'), '--disk-cache-mib', '64'])
})

t.teardown(async () => {
  await child?.stop()
  await emulator?.stop()
  await rm(root, { recursive: true, force: true })
})

async function cat(name: string): Promise<{ ok: boolean; data: Buffer; stderr: string }> {
  try {
    const { stdout } = await run('cat', [join(child.mountpoint, name)], { encoding: 'buffer', maxBuffer: 64 * MiB })
    return { ok: true, data: stdout, stderr: '' }
  } catch (err) {
    const e = err as { stdout: Buffer; stderr: Buffer }
    return { ok: false, data: e.stdout, stderr: e.stderr.toString() }
  }
}

const size = async (name: string) => Number((await run('stat', ['-c', '%s', join(child.mountpoint, name)])).stdout.trim())

for (const fault of BODY_FAULTS) {
  t.test(`${fault}: cat fails with EIO and the size stays the listed one`, async t => {
    emulator.setBodyFault(fault)
    t.teardown(() => emulator.setBodyFault(null))
    for (const [name, content] of Object.entries(files)) {
      const got = await cat(name)
      t.notOk(got.ok, `${name}: cat does not succeed`)
      t.match(got.stderr, /Input\/output error/, `${name}: EIO`)
      t.ok(content.subarray(0, got.data.length).equals(got.data), `${name}: what cat got before the error is the file's (${got.data.length} bytes)`)
      t.equal(await size(name), content.length, `${name}: stat shows the listed size`)
    }
  })
}

t.test('the server fixed: every file reads whole, byte for byte, with no refresh', async t => {
  for (const [name, content] of Object.entries(files)) {
    const got = await cat(name)
    t.ok(got.ok, `${name}: ${got.stderr}`)
    t.equal(sha256(got.data), sha256(content), `${name}: intact`)
    t.equal(await size(name), content.length)
  }
})
