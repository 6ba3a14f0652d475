// Everyday changes through a real kernel mount end with the right content on
// the server: one shell script runs in a local folder and in the mount, and
// its output (sizes seen by stat at once, error messages) and the resulting
// trees must be the same: in the mount, and on the server once the upload
// queue is empty. Run against the bridge emulator and rclone serve webdav.
// The script is in test/helpers/file-ops-script.ts; file-ops-stress.test.ts
// runs it 100 times against each server.
import t from 'tap'
import { runFileOps } from '../helpers/file-ops-script.js'
import { serverMissing, treeDigest, type ServerKind } from '../helpers/webdav-servers.js'
import { writableMountOn } from '../helpers/writable-mount.js'

for (const kind of ['emulator', 'rclone', 'apache'] as ServerKind[]) {
  t.test(`file operations through the mount, ${kind}`, { skip: serverMissing(kind) }, async t => {
    const { server, child, local } = await writableMountOn(t, kind, 300)

    const expected = await runFileOps(local)
    const got = await runFileOps(child.mountpoint)
    t.equal(got, expected, 'the same output in the mount as on a local disk')

    const snapshot = await child.command<{ failed: unknown[] }>('drain')
    t.same(snapshot.failed, [], 'no failed uploads')
    const want = await treeDigest(local)
    t.same(await treeDigest(server.folder, ['.megamount-trash']), want, 'the server holds what a local disk would')
  })
}
