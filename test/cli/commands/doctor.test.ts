import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { makeDoctorCommand } from '../../../src/cli/commands/doctor.js'
import { runMountctl } from '../../../src/cli/main.js'
import { fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

function setup(t: { teardown(fn: () => unknown): void }, config: string | null) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-doctor-cli-'))
  t.teardown(() => fs.rmSync(home, { recursive: true, force: true }))
  const file = path.join(home, '.config', 'megamount', 'mounts.json')
  if (config !== null) {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, config)
  }
  const megacmdPaths: Array<string | null> = []
  const command = makeDoctorCommand(({ megacmdPath }) => {
    megacmdPaths.push(megacmdPath)
    return fakeEnvironment()
  })
  async function ctl(...argv: string[]) {
    let stdout = ''
    const code = await runMountctl(['--socket', path.join(home, 'none.sock'), ...argv], { stdout: (s) => void (stdout += s), stderr: () => {}, env: { HOME: home } }, [command])
    return { code, stdout }
  }
  return { home, file, ctl, megacmdPaths }
}

t.test('a good machine with the daemon down: one FAIL with its fix, exit 1', async (t) => {
  const s = setup(t, JSON.stringify({ settings: { megacmdPath: '~/mega' }, mounts: [{ name: 'p', megaPath: '/Photos', mountpoint: '~/MEGA/Photos' }] }))
  const r = await s.ctl('doctor')
  t.equal(r.code, 1)
  const lines = r.stdout.split('\n')
  t.match(lines[0], /^ok    profile file .*: 1 profile\(s\)$/)
  t.ok(lines.some((l) => /^ok    bridge of "p": http:\/\/127.0.0.1:4443\/f1Y2lIrD\/Photos answers \(207\)$/.test(l)))
  t.ok(lines.some((l) => /^FAIL  megamountd answering: nothing answers on /.test(l)))
  t.ok(lines.some((l) => l === '      fix: mountctl service install   (or run it by hand: megamountd &)'))
  t.match(r.stdout, /1 of 9 checks failed\n$/)
  t.same(s.megacmdPaths, [path.join(s.home, 'mega')])
})

t.test('--json, a missing file and a broken one', async (t) => {
  const missing = setup(t, null)
  const r = await missing.ctl('doctor', '--json')
  const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ id: string; ok: boolean; fix?: string }> }
  t.equal(report.ok, false)
  t.same(report.checks.map((c) => c.id), ['config', 'fuse-device', 'fusermount', 'fuse-backend', 'megacmd', 'service', 'daemon'])
  t.match(report.checks[0]!.fix, /^mountctl discover/)
  const broken = setup(t, '{ "mounts": [ }')
  const b = await broken.ctl('doctor')
  t.match(b.stdout, /^FAIL  profile file .*: .*is not valid JSON at line 1/)
  const rejected = setup(t, JSON.stringify({ mounts: [{ name: 'bad name!', url: 'http://127.0.0.1:4443/AAAAaaaa/A', mountpoint: '/x' }] }))
  t.match((await rejected.ctl('doctor')).stdout, /^FAIL  profile file .*: 1 profile\(s\) rejected; first: /)
})
