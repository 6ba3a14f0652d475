// What `mountctl status` says about operations that failed for a reason the
// user did not choose: the bridge, the disk, a bad reply. Routine answers
// (no such file, read-only mount) are not failures.
import t from 'tap'
import { FsError } from '../../src/errors.js'
import { fuseCodeFor } from '../../src/fuse/errno.js'
import { FailedOps } from '../../src/fuse/failed-ops.js'
import { silentLogger } from '../../src/log.js'

t.test('failures are counted by code with the last one kept; routine answers are not', async t => {
  let now = Date.parse('2026-11-30T10:00:00Z')
  const failed = new FailedOps(() => now)
  t.same(failed.snapshot(), { count: 0, byCode: {}, last: null }, 'nothing yet')
  fuseCodeFor(new FsError('ENOENT', 'lookup /x: no such file or folder'), silentLogger, 'lookup', '/x', failed)
  fuseCodeFor(new FsError('EROFS', 'read-only'), silentLogger, 'create', '/y', failed)
  fuseCodeFor(new FsError('EEXIST', 'exists'), silentLogger, 'mkdir', '/z', failed)
  t.equal(failed.snapshot().count, 0, 'no such file, read-only, exists: routine')
  fuseCodeFor(new FsError('EIO', 'list /a: bad reply from the bridge'), silentLogger, 'readdir', '/a', failed)
  now += 1000
  fuseCodeFor(new FsError('ETIMEDOUT', 'read /b: no answer in 30 s'), silentLogger, 'read', '/b', failed)
  now += 1000
  fuseCodeFor(new TypeError('a bug'), silentLogger, 'getattr', '/c', failed)
  t.same(failed.snapshot(), {
    count: 3,
    byCode: { EIO: 2, ETIMEDOUT: 1 },
    last: { at: '2026-11-30T10:00:02.000Z', op: 'getattr', path: '/c', code: 'EIO', message: 'a bug' },
  }, 'a bug is an EIO like a bad reply')
})

t.test('the message kept is bounded', async t => {
  const failed = new FailedOps(() => 0)
  fuseCodeFor(new FsError('EIO', 'x'.repeat(5000)), silentLogger, 'read', '/big', failed)
  t.ok(failed.snapshot().last!.message.length <= 300)
})
