import t from 'tap'
import { megaPathBaseName, normalizeMegaPath } from '../../src/megacmd/mega-path.js'

t.equal(normalizeMegaPath('/Photos/'), '/Photos')
t.equal(normalizeMegaPath(' //Photos//2024/ '), '/Photos/2024')
t.equal(normalizeMegaPath('/'), '/')
t.equal(normalizeMegaPath('///'), '/')
t.throws(() => normalizeMegaPath('Photos'), /must be absolute, starting with "\/"/)
t.equal(megaPathBaseName('/Photos/2024/'), '2024')
t.equal(megaPathBaseName('/'), 'Cloud Drive')
