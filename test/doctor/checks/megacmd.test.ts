import t from 'tap'
import { megacmdCheck } from '../../../src/doctor/checks/megacmd.js'
import { MegaCmdError } from '../../../src/megacmd/errors.js'
import { fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

const withWhoami = (whoami: () => Promise<never> | Promise<{ loggedIn: false }>) =>
  fakeEnvironment({ megaCmd: { ...fakeEnvironment().megaCmd, whoami } })

t.same(await megacmdCheck(fakeEnvironment(), true).run(), { ok: true, detail: 'logged in as someone@example.com' })
t.same(await megacmdCheck(withWhoami(async () => ({ loggedIn: false })), true).run(), {
  ok: false,
  detail: 'MEGAcmd is running but not logged in: its bridge answers 404 to everything',
  fix: 'mega-login <email>',
})
const missing = withWhoami(async () => Promise.reject(new MegaCmdError('megacmd-missing', 'not on PATH', { fix: 'install it' })))
t.same(await megacmdCheck(missing, true).run(), { ok: false, detail: 'not on PATH', fix: 'install it' })
t.same(await megacmdCheck(missing, false).run(), { ok: true, detail: 'not installed; not needed: no profile uses "megaPath"' })
const odd = withWhoami(async () => Promise.reject(new Error('weird')))
t.match((await megacmdCheck(odd, true).run()).fix, /mega-whoami/)
