// Real mounts over an independent WebDAV server, `rclone serve webdav`: the
// shared functional cases, reads and writes (test/helpers/fs-cases.ts), on a
// writable mount as the daemon makes it, a tree of 10,000
// files in 200 folders listed completely and read back by checksum, and
// reads at random offsets and lengths. rclone runs in its own process, so
// this process may read the mount in parallel (through child processes).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as nodeFs from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { patternBuffer } from '../helpers/fake-remote.js'
import { runFsCases, sha256, writeFixture } from '../helpers/fs-cases.js'
import { mountDriver } from '../helpers/fs-drivers.js'
import { startMountChild, type MountChild } from '../helpers/mount-child-process.js'
import { rcloneMissing, startServer, type TestServer } from '../helpers/webdav-servers.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
const FOLDERS = 200
const FILES_PER_FOLDER = 50
const content = (f: number, i: number) => Buffer.from(`folder ${f} file ${i} ${'y'.repeat((f * 13 + i) % 211)}\n`)

if (rcloneMissing) {
  t.test('real mount over rclone serve webdav', { skip: `rclone serve webdav: ${rcloneMissing}` }, async () => {})
} else {
  const EXTRAS = ['tree', 'random.bin']
  let server: TestServer
  let child: MountChild
  let state: string

  t.before(async () => {
    server = await startServer('rclone')
    await writeFixture(server.folder)
    await writeFile(join(server.folder, 'random.bin'), patternBuffer(16 * MiB, 7))
    for (let f = 0; f < FOLDERS; f++) {
      const dir = join(server.folder, 'tree', `folder ${f}`)
      await mkdir(dir, { recursive: true })
      await Promise.all(Array.from({ length: FILES_PER_FOLDER }, (_, i) => writeFile(join(dir, `file ${i}.txt`), content(f, i))))
    }
    state = await mkdtemp(join(tmpdir(), 'megamount-state-'))
    child = await startMountChild(['--url', server.url, '--state-dir', state])
  })

  t.teardown(async () => {
    await child?.stop()
    await server?.stop()
    if (state) await rm(state, { recursive: true, force: true })
  })

  t.test('functional cases over rclone serve webdav', async t => {
    const driver = mountDriver(child.mountpoint, { folder: server.folder, extras: EXTRAS, drain: () => child.command('drain') })
    await runFsCases(t, driver, { readOnly: false })
  })

  t.test(`${FOLDERS * FILES_PER_FOLDER} files in ${FOLDERS} folders list completely and read back`, async t => {
    const tree = join(child.mountpoint, 'tree')
    const { stdout: found } = await run('find', [tree, '-type', 'f'], { maxBuffer: 64 * MiB })
    const files = found.split('\n').filter(Boolean)
    t.equal(files.length, FOLDERS * FILES_PER_FOLDER, 'find lists every file')
    // sha256sum over the mount, several processes at once, against the source.
    const { stdout: sums } = await run('sh', ['-c', 'cd "$1" && find . -type f -print0 | xargs -0 -P 4 -n 200 sha256sum', 'sh', tree], { maxBuffer: 64 * MiB })
    const expected = new Map<string, string>()
    for (let f = 0; f < FOLDERS; f++) {
      for (let i = 0; i < FILES_PER_FOLDER; i++) expected.set(`./folder ${f}/file ${i}.txt`, sha256(content(f, i)))
    }
    let bad = 0
    let seen = 0
    for (const line of sums.split('\n').filter(Boolean)) {
      const [sum, name] = [line.slice(0, 64), line.slice(66)]
      seen++
      if (expected.get(name) !== sum) bad++
    }
    t.equal(seen, FOLDERS * FILES_PER_FOLDER)
    t.equal(bad, 0, 'every file read back intact')
    const { stdout: lsOut } = await run('ls', ['-l', join(tree, 'folder 7')])
    t.match(lsOut, /^-rw-r--r-- 1 /m, 'ls -l shows files as -rw-r--r-- with one link')
  })

  t.test('reads at random offsets and lengths', async t => {
    const expected = patternBuffer(16 * MiB, 7)
    const fh = await nodeFs.open(join(child.mountpoint, 'random.bin'), 'r')
    t.teardown(() => fh.close())
    let x = 4242
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31)
    let bad = 0
    for (let i = 0; i < 200; i++) {
      const pos = next() % expected.length
      const len = 1 + (next() % (256 * 1024))
      const buf = Buffer.alloc(len)
      const { bytesRead } = await fh.read(buf, 0, len, pos)
      const want = expected.subarray(pos, pos + len)
      if (bytesRead !== want.length || !buf.subarray(0, bytesRead).equals(want)) bad++
    }
    t.equal(bad, 0, '200 random reads match the source')
    const whole = createHash('sha256').update(await nodeFs.readFile(join(child.mountpoint, 'random.bin'))).digest('hex')
    t.equal(whole, sha256(expected))
  })
}
