// fsx (test/tools/fsx: xfstests' file-system exerciser, written by others)
// through a real mount on each server: long seeded runs of random reads,
// writes, truncates and mmap reads and writes on one file, every byte read
// checked against fsx's own model. Then, once the upload queue is empty,
// the copy on the server must equal fsx's expected content (.fsxgood).
// Several seeds on a small file, plus a 16 MiB file with operations of up to
// 1 MiB (the size of one kernel request on libfuse 3). Results: docs/writes.md.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { serverMissing, sha256File, type ServerKind } from '../helpers/webdav-servers.js'
import { writableMountOn } from '../helpers/writable-mount.js'

const run = promisify(execFile)
const BUILD = fileURLToPath(new URL('../tools/fsx/build.sh', import.meta.url))

/** Per server: 3 seeds of 3,500 operations on a file of up to 256 KiB, and
 *  1,000 operations of up to 1 MiB on a file of up to 16 MiB (22,000 in all). */
const RUNS = [
  { file: 'seed-1.dat', args: ['-N', '3500', '-S', '1'] },
  { file: 'seed-2.dat', args: ['-N', '3500', '-S', '2'] },
  { file: 'seed-3.dat', args: ['-N', '3500', '-S', '3'] },
  { file: 'big.dat', args: ['-N', '1000', '-S', '4', '-l', String(16 << 20), '-o', String(1 << 20)] },
]

const built = await mkdtemp(join(tmpdir(), 'megamount-fsx-'))
t.teardown(() => rm(built, { recursive: true, force: true }))
const gccMissing = await run('gcc', ['--version']).then(() => false, () => 'gcc is missing: scripts/setup.sh installs it')
const fsx = gccMissing ? '' : (await run('bash', [BUILD, built])).stdout.trim()

for (const kind of ['emulator', 'rclone', 'apache'] as ServerKind[]) {
  t.test(`fsx through the mount, ${kind}`, { skip: gccMissing || serverMissing(kind) }, async t => {
    const { server, child, local: good } = await writableMountOn(t, kind, 300)

    for (const { file, args } of RUNS) {
      // -P: fsx's own logs and .fsxgood go to a local folder, not the mount.
      const result = await run(fsx, [...args, '-P', good, join(child.mountpoint, file)], { maxBuffer: 1 << 24 }).then(
        r => ({ code: 0, out: r.stdout + r.stderr }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
      )
      const ops = args[args.indexOf('-N') + 1]
      t.equal(result.code, 0, `${file}: fsx exits 0`)
      t.match(result.out, `All ${ops} operations completed A-OK!`, `${file}: ${ops} operations, no data error`, { tail: result.code === 0 ? '' : result.out.slice(-3000) })
    }

    const snapshot = await child.command<{ failed: unknown[] }>('drain', 300_000)
    t.same(snapshot.failed, [], 'no failed uploads')
    for (const { file } of RUNS) {
      const want = await sha256File(join(good, `${file}.fsxgood`))
      t.equal(await sha256File(join(server.folder, file)), want, `${file}: the server's copy equals fsx's expected content`)
    }
    // And read back through the mount once more, past every cache.
    const first = RUNS[0]!.file
    t.ok((await readFile(join(child.mountpoint, first))).equals(await readFile(join(good, `${first}.fsxgood`))), `${first}: reads back through the mount`)
  })
}
