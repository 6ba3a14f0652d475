import t from 'tap'
import { measureFolder } from '../../src/emulator/account-usage.js'

t.test('counts files, folders and bytes below the root', async t => {
  const root = t.testdir({ a: { 'x.txt': '12345', b: { 'y.txt': '12' } }, 'z.txt': '1' })
  t.same(measureFolder(root), { bytes: 8, files: 3, folders: 2 })
  t.same(measureFolder(t.testdir() + '/missing'), { bytes: 0, files: 0, folders: 0 })
})
