import t from 'tap'
import { doctorChecks } from '../../src/doctor/doctor-checks.js'
import { fakeEnvironment } from '../fixtures/doctor/fake-environment.js'

const profile = (name: string, megaPath: string | null) => ({
  name,
  url: megaPath ? null : 'http://127.0.0.1:4443/f1Y2lIrD/Photos',
  megaPath,
  serveIfNeeded: true,
  mountpoint: `/home/alice/MEGA/${name}`,
})

t.test('Linux: machine, MEGAcmd, each profile, autostart', async (t) => {
  const checks = doctorChecks({ mounts: [profile('a', null), profile('b', '/B')] as never }, fakeEnvironment())
  t.same(
    checks.map((c) => c.id),
    ['fuse-device', 'fusermount', 'fuse-backend', 'megacmd', 'mountpoint:a', 'bridge:a', 'mountpoint:b', 'bridge:b', 'service'],
  )
})

t.test('macOS: no fusermount check', async (t) => {
  const checks = doctorChecks({ mounts: [] }, fakeEnvironment({ platform: 'darwin' }))
  t.same(checks.map((c) => c.id), ['fuse-device', 'fuse-backend', 'megacmd', 'service'])
})

t.test('MEGAcmd is required only with a megaPath profile', async (t) => {
  const { MegaCmdError } = await import('../../src/megacmd/errors.js')
  const env = fakeEnvironment({
    megaCmd: { ...fakeEnvironment().megaCmd, whoami: async () => Promise.reject(new MegaCmdError('megacmd-missing', 'missing')) },
  })
  const urlOnly = doctorChecks({ mounts: [profile('a', null)] as never }, env).find((c) => c.id === 'megacmd')!
  t.equal((await urlOnly.run()).ok, true)
  const withPath = doctorChecks({ mounts: [profile('b', '/B')] as never }, env).find((c) => c.id === 'megacmd')!
  t.equal((await withPath.run()).ok, false)
})
