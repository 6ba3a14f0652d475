import t from 'tap'
import { serviceCheck } from '../../../src/doctor/checks/service.js'
import type { ServiceStatus } from '../../../src/service/types.js'
import { fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

const status = (s: Partial<ServiceStatus>) => async (): Promise<ServiceStatus> => ({
  path: '/u',
  installed: true,
  enabled: true,
  running: true,
  detail: 'd',
  ...s,
})

t.same(await serviceCheck(fakeEnvironment()).run(), { ok: true, detail: 'installed, enabled, running' })
t.equal((await serviceCheck(fakeEnvironment({ serviceStatus: status({ installed: false }) })).run()).fix, 'mountctl service install')
t.match((await serviceCheck(fakeEnvironment({ serviceStatus: status({ running: null, enabled: null }) })).run()).fix, /login session/)
t.match((await serviceCheck(fakeEnvironment({ serviceStatus: status({ running: false }) })).run()).fix, /^systemctl --user enable --now megamount.service/)
t.match(
  (await serviceCheck(fakeEnvironment({ platform: 'darwin', serviceStatus: status({ running: false }) })).run()).fix,
  /^launchctl kickstart -k gui\/\$\(id -u\)\/io.megamount.daemon/,
)
