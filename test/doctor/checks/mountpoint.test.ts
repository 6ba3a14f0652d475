import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { mountpointCheck } from '../../../src/doctor/checks/mountpoint.js'
import { errno, fakeEnvironment } from '../../fixtures/doctor/fake-environment.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-doctor-mp-'))
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
const env = fakeEnvironment()
const check = (mountpoint: string, e = env) => mountpointCheck({ name: 'p', mountpoint }, e).run()

t.test('missing folder with an existing parent is fine', async (t) => {
  t.same(await check(path.join(dir, 'new')), { ok: true, detail: `${path.join(dir, 'new')} does not exist yet; the daemon creates it` })
})

t.test('missing parents are created by the daemon, if it may', async (t) => {
  t.equal((await check(path.join(dir, 'no', 'such'))).ok, true)
  const readOnly = fakeEnvironment({ access: async () => Promise.reject(errno('EACCES')) })
  const r = await check(path.join(dir, 'no', 'such'), readOnly)
  t.equal(r.ok, false)
  t.match(r.detail, new RegExp(`alice cannot create it in ${dir}$`))
  t.equal(r.fix, `sudo mkdir -p "${path.join(dir, 'no', 'such')}" && sudo chown alice "${path.join(dir, 'no', 'such')}"`)
})

t.test('a file in the way, and a file as parent', async (t) => {
  fs.writeFileSync(path.join(dir, 'file'), 'x')
  t.match((await check(path.join(dir, 'file'))).detail, /is not a folder/)
  t.match((await check(path.join(dir, 'file', 'sub'))).detail, /a folder above .* is a file/)
  t.match((await check(path.join(dir, 'file', 'sub'), fakeEnvironment({ stat: async (f) => (f.endsWith('sub') ? Promise.reject(errno('ENOENT')) : fs.promises.stat(f)) }))).detail, /file is not a folder/)
})

t.test('a dead mount', async (t) => {
  const dead = fakeEnvironment({ stat: async () => Promise.reject(errno('ENOTCONN')) })
  const r = await check('/home/alice/MEGA/Photos', dead)
  t.equal(r.ok, false)
  t.match(r.detail, /dead mount/)
  t.equal(r.fix, 'fusermount -uz "/home/alice/MEGA/Photos"')
  t.equal((await check('/Users/a/MEGA', fakeEnvironment({ platform: 'darwin', stat: dead.stat }))).fix, 'umount -f "/Users/a/MEGA"')
  t.match((await check('/x', fakeEnvironment({ stat: async () => Promise.reject(errno('EACCES')) }))).detail, /cannot be checked/)
})

t.test('empty folder, not empty, and our own live mount', async (t) => {
  const empty = path.join(dir, 'empty')
  fs.mkdirSync(empty)
  t.same(await check(empty), { ok: true, detail: `${empty} is an empty folder` })
  const full = path.join(dir, 'full')
  fs.mkdirSync(full)
  fs.writeFileSync(path.join(full, 'a.txt'), 'x')
  const r = await check(full)
  t.equal(r.ok, false)
  t.match(r.detail, /is not empty/)
  const mounted = fakeEnvironment({ mountTable: async () => [{ source: 'megamount:p', mountpoint: full, type: 'fuse' }] })
  t.same(await check(full, mounted), { ok: true, detail: `${full} is mounted` })
})
