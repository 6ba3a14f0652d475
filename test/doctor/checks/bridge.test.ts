import t from 'tap'
import { bridgeCheck } from '../../../src/doctor/checks/bridge.js'
import { MegaCmdError } from '../../../src/megacmd/errors.js'
import type { ProbeResult } from '../../../src/doctor/probe-bridge.js'
import { fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

const urlProfile = { name: 'p', url: 'http://127.0.0.1:4443/f1Y2lIrD/Photos', megaPath: null, serveIfNeeded: true }
const pathProfile = { name: 'q', url: null, megaPath: '/Photos', serveIfNeeded: false }

function probing(result: ProbeResult, seen: string[] = []) {
  return fakeEnvironment({
    probe: async (url, timeoutMs) => {
      seen.push(`${url} ${timeoutMs}`)
      return result
    },
  })
}

t.test('answering bridge; megaPath resolved through MEGAcmd, never served', async (t) => {
  const seen: string[] = []
  t.same(await bridgeCheck(urlProfile, probing({ kind: 'ok', status: 207 }, seen)).run(), {
    ok: true,
    detail: 'http://127.0.0.1:4443/f1Y2lIrD/Photos answers (207)',
  })
  t.equal((await bridgeCheck(pathProfile, probing({ kind: 'ok', status: 207 }, seen)).run()).ok, true)
  t.same(seen, ['http://127.0.0.1:4443/f1Y2lIrD/Photos 5000', 'http://127.0.0.1:4443/f1Y2lIrD/Photos 5000'])
})

t.test('each failure names its fix', async (t) => {
  const refused = await bridgeCheck(pathProfile, probing({ kind: 'refused', message: 'ECONNREFUSED' })).run()
  t.equal(refused.ok, false)
  t.match(refused.detail, /refuses connections: the bridge is down/)
  t.match(refused.fix, /mega-webdav \/Photos/)
  const gone = await bridgeCheck(urlProfile, probing({ kind: 'status', status: 404 })).run()
  t.match(gone.detail, /answers 404: MEGAcmd is logged out, or the folder was renamed or is no longer served/)
  t.match(gone.fix, /mega-login/)
  const hung = await bridgeCheck(urlProfile, probing({ kind: 'timeout', timeoutMs: 5000 })).run()
  t.match(hung.detail, /did not answer within 5000 ms/)
  t.match(hung.fix, /mega-quit, then mega-cmd-server/)
  t.match((await bridgeCheck(urlProfile, probing({ kind: 'status', status: 500 })).run()).detail, /answers 500/)
  t.match((await bridgeCheck(urlProfile, probing({ kind: 'error', message: 'EHOSTUNREACH' })).run()).fix, /check the profile's "url"/)
})

t.test('megaPath not served', async (t) => {
  const env = fakeEnvironment({ megaCmd: { ...fakeEnvironment().megaCmd, servedLocations: async () => [] } })
  const strict = await bridgeCheck(pathProfile, env).run()
  t.equal(strict.ok, false)
  t.match(strict.fix, /mega-webdav \/Photos/)
  const lenient = await bridgeCheck({ ...pathProfile, serveIfNeeded: true }, env).run()
  t.equal(lenient.ok, true)
  t.match(lenient.detail, /not served yet; the daemon runs mega-webdav \/Photos/)
})

t.test('MEGAcmd failures carry their fix', async (t) => {
  const env = fakeEnvironment({
    megaCmd: {
      ...fakeEnvironment().megaCmd,
      servedLocations: async () => Promise.reject(new MegaCmdError('megacmd-not-running', 'cannot reach', { fix: 'start it' })),
    },
  })
  t.same(await bridgeCheck(pathProfile, env).run(), { ok: false, detail: 'cannot reach', fix: 'start it' })
  t.match((await bridgeCheck({ ...pathProfile, megaPath: null }, env).run()).detail, /neither "url" nor "megaPath"/)
})

t.test('plain HTTP to another computer: ok, with a warning', async (t) => {
  const remote = { name: 'r', url: 'http://192.168.1.5:4443/f1Y2lIrD/Photos', megaPath: null, serveIfNeeded: true }
  const r = await bridgeCheck(remote, probing({ kind: 'ok', status: 207 })).run()
  t.equal(r.ok, true)
  t.match(r.warning, /plain HTTP to 192\.168\.1\.5, which is not this computer/)
  t.equal((await bridgeCheck(urlProfile, probing({ kind: 'ok', status: 207 })).run()).warning, undefined, 'none for loopback')
  const down = await bridgeCheck(remote, probing({ kind: 'refused', message: 'ECONNREFUSED' })).run()
  t.match(down.warning, /plain HTTP/, 'also when it does not answer')
})
