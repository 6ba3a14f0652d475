import { promises as fsp } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { openStagingData, SYNC_LIMIT_BYTES } from '../../../src/vfs/write/staging-data.js'

t.test('small writes land in the file before the call returns; big ones through the pool', async t => {
  const file = join(t.testdir(), 'data')
  const data = await openStagingData(file, 'wx+')
  t.equal((await fsp.stat(file)).mode & 0o777, 0o600, 'private: it is the user content')
  const small = data.write(Buffer.from('hello'), 0, 5, 0)
  // Synchronous: the bytes are in the file with no turn of the event loop.
  t.equal((await fsp.readFile(file, 'utf8')), 'hello')
  t.same(await small, { bytesWritten: 5 })
  const big = Buffer.alloc(4096, 7)
  t.equal((await data.write(big, 0, big.length, SYNC_LIMIT_BYTES)).bytesWritten, 4096, 'past the limit: same result')
  t.equal((await data.stat()).size, SYNC_LIMIT_BYTES + 4096)
  await data.truncate(3)
  const back = Buffer.alloc(10)
  t.equal((await data.read(back, 0, 10, 0)).bytesRead, 3)
  t.equal(back.subarray(0, 3).toString(), 'hel')
  await data.datasync()
  await data.close()
  await data.close()
  await t.rejects(data.write(Buffer.from('x'), 0, 1, 0), { code: 'EBADF' }, 'closed: EBADF, not a write to a reused descriptor')
  await t.rejects(data.datasync(), { code: 'EBADF' })
})

t.test('open refuses an existing name with wx+, as a create must', async t => {
  const file = join(t.testdir(), 'data')
  await fsp.writeFile(file, 'x')
  await t.rejects(openStagingData(file, 'wx+'), { code: 'EEXIST' })
})
