// The file-ops script (test/helpers/file-ops-script.ts) run 100 times
// against each server through one mount, a few runs at a time, each in a
// folder of its own: a file just written must never vanish from `ls` (once
// 1 in 523 runs in CI, against rclone serve: an `ls` that began just before
// an upload ended got the listing from before it, while the staged copy was
// already gone; metadata-cache.ts), and a folder rename must carry every
// upload below it (src/y.txt once left behind by 'mv src moved'; the hold in
// upload-queue.ts). Uploads are quick (100 ms after the last close), so they
// end all through the scripts, during `ls`, `stat` and `mv`. Every run must
// print what it prints on a local disk, and the server must end with every
// run's tree. 100 runs per server take about a minute each here.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { FILE_OPS_SCRIPT, runFileOps, runScript } from '../helpers/file-ops-script.js'
import { rcloneMissing, treeDigest, type ServerKind } from '../helpers/webdav-servers.js'
import { writableMountOn } from '../helpers/writable-mount.js'

const RUNS = Number(process.env.MEGAMOUNT_FILE_OPS_RUNS ?? 100)
const AT_ONCE = Number(process.env.MEGAMOUNT_FILE_OPS_AT_ONCE ?? 2)

for (const kind of (process.env.MEGAMOUNT_FILE_OPS_SERVERS?.split(',') ?? ['emulator', 'rclone']) as ServerKind[]) {
  t.test(`the file-ops script ${RUNS} times through one mount, ${kind}`, { skip: kind === 'rclone' && rcloneMissing }, async t => {
    const { server, child, local } = await writableMountOn(t, kind, 100)
    await mkdir(join(local, 'expected'))
    const expected = await runFileOps(join(local, 'expected'))

    const started = Date.now()
    const differing: string[] = []
    let next = 0
    const worker = async () => {
      for (let i = next++; i < RUNS; i = next++) {
        const name = `run-${String(i).padStart(3, '0')}`
        const output = await runScript(`mkdir ${name} && cd ${name} || exit 1\n${FILE_OPS_SCRIPT}`, child.mountpoint)
        if (output !== expected) {
          differing.push(name)
          t.equal(output, expected, `${name}: the same output as on a local disk`)
        }
      }
    }
    await Promise.all(Array.from({ length: AT_ONCE }, worker))
    t.same(differing, [], `all ${RUNS} runs printed what a local disk prints`)
    t.comment(`${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`)

    const snapshot = await child.command<{ failed: unknown[] }>('drain', 300_000)
    t.same(snapshot.failed, [], 'no failed uploads')
    const want = await treeDigest(join(local, 'expected'))
    const got = await treeDigest(server.folder, ['.megamount-trash'])
    let wrong = 0
    for (let i = 0; i < RUNS; i++) {
      const name = `run-${String(i).padStart(3, '0')}`
      const prefix = `${name}/`
      const tree = Object.fromEntries(Object.entries(got).filter(([p]) => p.startsWith(prefix)).map(([p, d]) => [p.slice(prefix.length), d]))
      if (JSON.stringify(tree) !== JSON.stringify(want)) {
        wrong++
        t.same(tree, want, `${name}: the server holds what a local disk would`)
      }
    }
    t.equal(wrong, 0, 'every run reached the server')
  })
}
