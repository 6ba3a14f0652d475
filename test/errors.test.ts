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

t.test('ENOENT, a routine answer, carries no stack; other codes do', async t => {
  const limit = Error.stackTraceLimit
  t.notMatch(new FsError('ENOENT', 'no such file').stack ?? '', /\n\s+at /, 'no frames')
  t.match(new FsError('ENOENT', 'no such file').stack, /no such file/, 'the message stays')
  t.match(new FsError('EIO', 'broken').stack, /\n\s+at /, 'an unexpected failure keeps its frames')
  t.equal(Error.stackTraceLimit, limit, 'the limit is restored')
})
