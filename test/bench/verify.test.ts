import t from 'tap'
import { BenchFailure, checkFileList, checkHash, checkSizes, parseLsSizes } from '../../bench/verify.js'

const lsR = `/m/tree:
total 0
drwxr-xr-x 1 root root    0 Jan  1  1970 t00

/m/tree/t00:
total 8
-rw-r--r-- 1 root root  100 Nov 22 00:51 a.bin
-rw-r--r-- 1 root root 4096 Nov 22 00:51 b c.bin
`

t.test('ls -lR output becomes relative paths and sizes', async (t) => {
  const sizes = parseLsSizes(lsR, '/m', 'tree')
  t.same([...sizes], [['tree/t00/a.bin', 100], ['tree/t00/b c.bin', 4096]])
})

t.test('ls -l of one folder uses the folder it was given', async (t) => {
  const sizes = parseLsSizes('total 4\n-rw-r--r-- 1 u g 12 Nov 22 00:51 e1.txt\n', '/m', 'bigdir')
  t.same([...sizes], [['bigdir/e1.txt', 12]])
})

t.test('a wrong size, a missing file or a wrong hash is a BenchFailure', async (t) => {
  const facts = new Map([['x', { size: 3, sha256: 'aa' }], ['y', { size: 4, sha256: 'bb' }]])
  t.doesNotThrow(() => checkSizes('ls', new Map([['x', 3], ['y', 4]]), ['x', 'y'], facts))
  t.throws(() => checkSizes('ls', new Map([['x', 3], ['y', 5]]), ['x', 'y'], facts), BenchFailure)
  t.throws(() => checkSizes('ls', new Map([['x', 3]]), ['x', 'y'], facts), /listed 1 files, the data set has 2/)
  t.throws(() => checkFileList('find', ['b', 'a'], ['a', 'c']), /found 'b' where the data set has 'c'/)
  t.doesNotThrow(() => checkFileList('find', ['b', 'a'], ['a', 'b']))
  t.throws(() => checkHash('cat', 'ff', 'aa'), BenchFailure)
})
