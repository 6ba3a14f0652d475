import { constants } from 'node:os'
import t from 'tap'
import { FS_ERROR_CODES, FsError } from '../../src/errors.js'
import { pino } from 'pino'
import { errnoFor, fuseCodeFor } from '../../src/fuse/errno.js'

t.test('every core code has a positive errno from the platform table', async t => {
  for (const code of FS_ERROR_CODES) t.ok(errnoFor(code) > 0, code)
  t.equal(errnoFor('ENOENT'), constants.errno.ENOENT)
  t.equal(errnoFor('ETIMEDOUT'), constants.errno.ETIMEDOUT)
  t.equal(errnoFor('EROFS'), constants.errno.EROFS)
  if (process.platform === 'linux') t.equal(errnoFor('EHOSTDOWN'), 112, 'missing from Node on Linux')
})

t.test('FsErrors map through the table; anything else is logged and EIO, never ENOENT', async t => {
  const lines: string[] = []
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) })
  t.equal(fuseCodeFor(new FsError('ENOENT'), logger, 'getattr', '/x'), -constants.errno.ENOENT)
  t.equal(fuseCodeFor(new TypeError('boom'), logger, 'read', '/y'), -constants.errno.EIO)
  t.equal(fuseCodeFor('weird', logger, 'read', '/y'), -constants.errno.EIO)
  const error = lines.map(l => JSON.parse(l)).find(l => l.level === 50)
  t.match(error, { op: 'read', path: '/y', err: { message: 'boom', stack: /TypeError: boom/ } })
})
