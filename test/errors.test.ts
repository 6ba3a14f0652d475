import t from 'tap'
import { FsError, isFsError } from '../src/errors.js'

t.test('FsError carries its code and cause', async t => {
  const cause = new Error('inner')
  const err = new FsError('ENOENT', 'no such thing', { cause })
  t.equal(err.code, 'ENOENT')
  t.equal(err.message, 'no such thing')
  t.equal(err.cause, cause)
  t.ok(isFsError(err))
  t.notOk(isFsError(new Error('x')))
  t.equal(new FsError('EIO').message, 'EIO')
})
