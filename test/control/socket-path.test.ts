import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { checkSocketPathLength, maxSocketPathBytes, prepareSocketPath } from '../../src/control/socket-path.js'

t.test('a socket path too long for sun_path is refused with what to do', async t => {
  t.equal(maxSocketPathBytes('linux'), 108)
  t.equal(maxSocketPathBytes('darwin'), 104)
  const long = '/tmp/' + 'x'.repeat(110) + '.sock'
  t.throws(() => checkSocketPathLength(long, 'linux'), { message: /too long for a Unix socket \(at most 107 on Linux\)/, hint: /--socket with a shorter path/ })
  t.throws(() => checkSocketPathLength('/tmp/' + 'x'.repeat(100), 'darwin'), { message: /at most 103 on macOS/ })
  t.doesNotThrow(() => checkSocketPathLength('/tmp/megamount.sock', 'linux'))
  await t.rejects(prepareSocketPath(long), { message: /too long/ })
})

t.test('a file in the way is not deleted', async t => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mms-'))
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }))
  await fs.writeFile(path.join(dir, 'c.sock'), 'precious')
  await t.rejects(prepareSocketPath(path.join(dir, 'c.sock')), { message: /exists and is not a socket/ })
  t.equal(await fs.readFile(path.join(dir, 'c.sock'), 'utf8'), 'precious')
  const fresh = path.join(dir, 'sub', 'c.sock')
  t.same(await prepareSocketPath(fresh), { removedStale: false })
  t.equal((await fs.stat(path.join(dir, 'sub'))).mode & 0o777, 0o700, 'socket folder is private')
})
