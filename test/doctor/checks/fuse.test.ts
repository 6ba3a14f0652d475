import { constants as fsConstants } from 'node:fs'
import t from 'tap'
import { fuseDeviceCheck, fusermountCheck, libfuse2Check } from '../../../src/doctor/checks/fuse.js'
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
  t.same(none.fix, 'sudo apt-get install -y fuse')
})

t.test('libfuse.so.2 in the linker cache', async (t) => {
  const calls: Array<[string, readonly string[]]> = []
  const env = fakeEnvironment({
    which: async () => null,
    runner: async (file, args) => {
      calls.push([file, args])
      return { stdout: '\tlibfuse3.so.3 (libc6,x86-64) => /lib/libfuse3.so.3\n', stderr: '', exitCode: 0 }
    },
  })
  const result = await libfuse2Check(env).run()
  t.same(calls, [['/sbin/ldconfig', ['-p']]], 'falls back to /sbin/ldconfig')
  t.equal(result.ok, false)
  t.equal(result.fix, 'sudo apt-get install -y libfuse2')
  t.equal((await libfuse2Check(fakeEnvironment()).run()).ok, true)
  const noLdconfig = fakeEnvironment({ runner: async (f) => Promise.reject(new CommandNotFoundError(f)) })
  t.match((await libfuse2Check(noLdconfig).run()).detail, /cannot run/)
})
