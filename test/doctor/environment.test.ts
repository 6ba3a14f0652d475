import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { defaultDoctorEnvironment, whichOnPath } from '../../src/doctor/environment.js'

t.test('whichOnPath finds executables only, in PATH order', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-which-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'a'))
  fs.mkdirSync(path.join(dir, 'b'))
  fs.writeFileSync(path.join(dir, 'a', 'tool'), 'not executable', { mode: 0o644 })
  fs.writeFileSync(path.join(dir, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 })
  fs.mkdirSync(path.join(dir, 'a', 'dironly'))
  const which = whichOnPath(['relative', path.join(dir, 'a'), path.join(dir, 'b')].join(':'))
  // root can read anything, but X_OK still needs an execute bit.
  t.equal(await which('tool'), path.join(dir, 'b', 'tool'))
  t.equal(await which('dironly'), null)
  t.equal(await which('missing'), null)
  t.equal(await whichOnPath(undefined)('tool'), null)
})

t.test('defaults wire the real pieces', async (t) => {
  const env = defaultDoctorEnvironment({
    megacmdPath: '/opt/mega',
    serviceStatus: async () => ({ path: '', installed: false, enabled: null, running: null, detail: '' }),
    env: { PATH: '/usr/bin', USER: 'bob' },
  })
  t.equal(env.user, 'bob')
  t.equal(env.platform, process.platform)
  t.ok(Array.isArray(await env.mountTable()))
  await t.rejects(env.megaCmd.whoami(), { name: 'MegaCmdError', kind: 'megacmd-missing', message: /\/opt\/mega\/mega-whoami does not exist/ })
})
