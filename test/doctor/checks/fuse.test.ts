import { constants as fsConstants } from 'node:fs'
import t from 'tap'
import { fuseBackendCheck, fuseDeviceCheck, fusermountCheck } from '../../../src/doctor/checks/fuse.js'
import { CommandNotFoundError } from '../../../src/megacmd/command-runner.js'
import { errno, fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

t.test('/dev/fuse', async (t) => {
  t.same(await fuseDeviceCheck(fakeEnvironment()).run(), { ok: true, detail: '/dev/fuse is readable and writable' })
  const missing = await fuseDeviceCheck(fakeEnvironment({ access: async () => Promise.reject(errno('ENOENT')) })).run()
  t.equal(missing.ok, false)
  t.match(missing.fix, /^sudo modprobe fuse/)
  const noRw = await fuseDeviceCheck(
    fakeEnvironment({ access: async (_f, mode) => (mode === fsConstants.F_OK ? undefined : Promise.reject(errno('EACCES'))) }),
  ).run()
  t.equal(noRw.ok, false)
  t.match(noRw.detail, /alice cannot read and write it/)
  t.match(noRw.fix, /^sudo usermod -aG fuse alice/)
})

t.test('macOS: macFUSE', async (t) => {
  const checked: string[] = []
  const ok = await fuseDeviceCheck(fakeEnvironment({ platform: 'darwin', access: async (f) => void checked.push(f) })).run()
  t.equal(ok.ok, true)
  t.same(checked, ['/Library/Filesystems/macfuse.fs'])
  const missing = await fuseDeviceCheck(fakeEnvironment({ platform: 'darwin', access: async () => Promise.reject(errno('ENOENT')) })).run()
  t.match(missing.fix, /^brew install --cask macfuse/)
})

t.test('fusermount or fusermount3', async (t) => {
  t.same(await fusermountCheck(fakeEnvironment()).run(), { ok: true, detail: '/usr/bin/fusermount' })
  const only3 = fakeEnvironment({ which: async (c) => (c === 'fusermount3' ? '/usr/bin/fusermount3' : null) })
  t.same(await fusermountCheck(only3).run(), { ok: true, detail: '/usr/bin/fusermount3' })
  const none = await fusermountCheck(fakeEnvironment({ which: async () => null })).run()
  t.same(none.fix, 'sudo apt-get install -y fuse3')
})

t.test('the FUSE backend: libfuse3 is ok, the fuse-native fallback names the fix, none fails', async (t) => {
  const ok = await fuseBackendCheck(fakeEnvironment()).run()
  t.equal(ok.ok, true)
  t.match(ok.detail, /^libfuse3: /)
  const fallback = await fuseBackendCheck(
    fakeEnvironment({ fuseBackend: () => ({ name: 'fuse-native', why: 'fallback: the libfuse 3 binding was not built: the libfuse 3 development files are not installed', fix: 'sudo apt-get install -y fuse3 libfuse3-dev pkg-config g++ make, then run npm rebuild megamount' }) }),
  ).run()
  t.equal(fallback.ok, false, 'the fallback works but is not all well')
  t.match(fallback.detail, /^fuse-native \(libfuse 2\), slower: fallback: the libfuse 3 binding was not built/)
  t.match(fallback.fix, /libfuse3-dev/)
  const none = await fuseBackendCheck(fakeEnvironment({ fuseBackend: () => ({ error: 'no FUSE backend can be used: ...' }) })).run()
  t.equal(none.ok, false)
  t.match(none.detail, /^no FUSE backend/)
})
