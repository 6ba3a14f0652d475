import path from 'node:path'
import t from 'tap'
import { localToMegaPath, megaPathToLocal, nodeName, normalizeMegaPath } from '../../src/emulator/mega-path.js'

t.test('MEGA paths', async t => {
  t.equal(normalizeMegaPath('/'), '/')
  t.equal(normalizeMegaPath('Photos/'), '/Photos')
  t.equal(normalizeMegaPath('//a//b/'), '/a/b')
  t.throws(() => normalizeMegaPath('/a/../b'), /must not contain/)
  t.throws(() => normalizeMegaPath(''), /required/)
  const root = path.resolve('/srv/account')
  t.equal(megaPathToLocal(root, '/a/b'), path.join(root, 'a', 'b'))
  t.equal(megaPathToLocal(root, '/'), root)
  t.equal(localToMegaPath(root, path.join(root, 'a', 'b')), '/a/b')
  t.equal(localToMegaPath(root, root), '/')
  t.equal(nodeName('/'), 'Cloud Drive')
  t.equal(nodeName('/a/b c'), 'b c')
})
