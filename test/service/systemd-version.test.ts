import t from 'tap'
import { detectSystemdVersion, parseSystemdVersion } from '../../src/service/systemd-version.js'
import { CommandNotFoundError } from '../../src/megacmd/command-runner.js'

t.equal(parseSystemdVersion('systemd 252 (252.38-1~deb12u1)\n+PAM +AUDIT\n'), 252)
t.equal(parseSystemdVersion('systemd 256 (256.7-1)'), 256)
t.equal(parseSystemdVersion('garbage'), null)

t.test('detect', async (t) => {
  t.equal(await detectSystemdVersion(async () => ({ stdout: 'systemd 255 (255)', stderr: '', exitCode: 0 })), 255)
  t.equal(await detectSystemdVersion(async () => ({ stdout: '', stderr: 'x', exitCode: 1 })), null)
  t.equal(await detectSystemdVersion(async (f) => Promise.reject(new CommandNotFoundError(f))), null)
})
