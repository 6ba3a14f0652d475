import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { addProfile, removeProfile, writeAtomically } from '../../src/config/profile-file-edit.js'

const URL_A = 'http://127.0.0.1:4443/AAAAAAAA/A'
const FILE = JSON.stringify({ settings: { healthIntervalSeconds: 5, megacmdPath: null }, mounts: [{ name: 'a', url: URL_A, mountpoint: '~/MEGA/A', cacheTtlMs: 1000 }] })

t.test('add keeps settings and other profiles, writes 2-space JSON, validates first', async t => {
  const dir = t.testdir({ 'mounts.json': FILE })
  const file = path.join(dir, 'mounts.json')
  await fs.chmod(file, 0o640)
  const r = await addProfile(file, { name: 'b', megaPath: '/Photos', mountpoint: path.join(dir, 'B'), readOnly: true }, { home: dir })
  t.same(r, { file, created: false })
  const text = await fs.readFile(file, 'utf8')
  t.equal(text, `${JSON.stringify({ ...JSON.parse(FILE), mounts: [...JSON.parse(FILE).mounts, { name: 'b', megaPath: '/Photos', mountpoint: path.join(dir, 'B'), readOnly: true }] }, null, 2)}\n`)
  t.match(text, /^\{\n {2}"settings": \{\n {4}"healthIntervalSeconds": 5,/)
  t.equal((await fs.stat(file)).mode & 0o777, 0o640, 'mode kept')
  t.same((await fs.readdir(dir)).sort(), ['mounts.json'], 'no temporary file left')

  await t.rejects(addProfile(file, { name: 'b', url: URL_A, mountpoint: path.join(dir, 'C') }, { home: dir }), { message: /profile "b": already exists/, hint: /mountctl remove b/ })
  await t.rejects(addProfile(file, { name: 'c', url: 'ftp://x', mountpoint: path.join(dir, 'C') }, { home: dir }), { message: /field "url".*nothing was changed/ })
  await t.rejects(addProfile(file, { name: 'c', url: URL_A, mountpoint: path.join(dir, 'B', 'inner') }, { home: dir }), { message: /inside the mountpoint of profile "b"/ })
  await t.rejects(addProfile(file, { name: 'bad name', url: URL_A, mountpoint: path.join(dir, 'D') }, { home: dir }), { message: /field "name"/ })
  t.equal(await fs.readFile(file, 'utf8'), text, 'refused edits wrote nothing')
})

t.test('add creates a missing file and its folder; a broken file is refused', async t => {
  const dir = t.testdir({ 'broken.json': '{ "mounts": [ ' })
  const file = path.join(dir, 'new', 'mounts.json')
  t.same(await addProfile(file, { name: 'a', url: URL_A, mountpoint: path.join(dir, 'A') }), { file, created: true })
  t.same(JSON.parse(await fs.readFile(file, 'utf8')), { mounts: [{ name: 'a', url: URL_A, mountpoint: path.join(dir, 'A') }] })
  const broken = path.join(dir, 'broken.json')
  await t.rejects(addProfile(broken, { name: 'a', url: URL_A, mountpoint: '/x' }), { message: /not valid JSON at line 1/, hint: /fix the file first/ })
  await t.rejects(removeProfile(broken, 'a'), { message: /not valid JSON/ })
  await fs.writeFile(broken, '[]')
  await t.rejects(removeProfile(broken, 'a'), { message: /must be a JSON object/ })
  await fs.writeFile(broken, '{"mounts": 3}')
  await t.rejects(addProfile(broken, { name: 'a', url: URL_A, mountpoint: '/x' }), { message: /field "mounts": must be a list/ })
})

t.test('remove keeps the rest; an unknown name lists the known ones', async t => {
  const dir = t.testdir({ 'mounts.json': FILE })
  const file = path.join(dir, 'mounts.json')
  await addProfile(file, { name: 'b', url: 'http://127.0.0.1:4443/BBBBBBBB/B', mountpoint: path.join(dir, 'B') }, { home: dir })
  await t.rejects(removeProfile(file, 'zz'), { message: /has no profile named "zz"/, hint: 'known: a, b' })
  await removeProfile(file, 'a')
  const doc = JSON.parse(await fs.readFile(file, 'utf8'))
  t.same(doc.settings, { healthIntervalSeconds: 5, megacmdPath: null })
  t.same(doc.mounts.map((m: { name: string }) => m.name), ['b'])
  await t.rejects(removeProfile(path.join(dir, 'none.json'), 'a'), { message: /has no profile named "a"/, hint: 'the file has no profiles' })
})

t.test('writeAtomically replaces the file whole', async t => {
  const dir = t.testdir({ f: 'old' })
  await writeAtomically(path.join(dir, 'f'), 'new')
  t.equal(await fs.readFile(path.join(dir, 'f'), 'utf8'), 'new')
  t.equal((await fs.stat(path.join(dir, 'f'))).mode & 0o777, 0o644 & ~process.umask() || 0o644)
  await t.rejects(writeAtomically(path.join(dir, 'f', 'x'), 'y'))
})

t.test('edits at the same moment are serialized: none is lost', async t => {
  const dir = t.testdir({ 'mounts.json': FILE })
  const file = path.join(dir, 'mounts.json')
  const names = ['b', 'c', 'd', 'e', 'f', 'g']
  await Promise.all([
    ...names.map(n => addProfile(file, { name: n, url: URL_A, mountpoint: path.join(dir, n) }, { home: dir })),
    removeProfile(file, 'a'),
  ])
  const doc = JSON.parse(await fs.readFile(file, 'utf8'))
  t.same(doc.mounts.map((m: { name: string }) => m.name).sort(), names)
  t.same((await fs.readdir(dir)).sort(), ['mounts.json'], 'no lock or temporary file left')
})

t.test('a lock left by a killed mountctl does not block edits for good', async t => {
  const dir = t.testdir({ 'mounts.json': FILE })
  const file = path.join(dir, 'mounts.json')
  await fs.mkdir(`${file}.lock`)
  const old = new Date(Date.now() - 60_000)
  await fs.utimes(`${file}.lock`, old, old)
  await addProfile(file, { name: 'b', url: URL_A, mountpoint: path.join(dir, 'b') }, { home: dir })
  t.same(JSON.parse(await fs.readFile(file, 'utf8')).mounts.map((m: { name: string }) => m.name), ['a', 'b'])
})
