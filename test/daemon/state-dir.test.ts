import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { makeStateDirPrivate, StateDirError } from '../../src/daemon/state-dir.js'
import { silentLogger } from '../../src/log.js'

const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o777

t.test('an existing folder open to others is made 0700', async t => {
  const dir = path.join(t.testdir(), 'state')
  await fs.mkdir(dir)
  await fs.chmod(dir, 0o755)
  await fs.writeFile(path.join(dir, 'uploads.journal'), '')
  await makeStateDirPrivate(dir, silentLogger)
  t.equal(await modeOf(dir), 0o700)
})

t.test('a missing folder is created 0700, parents included, whatever the umask', async t => {
  const old = process.umask(0)
  t.teardown(() => void process.umask(old))
  const dir = path.join(t.testdir(), 'a', 'state')
  await makeStateDirPrivate(dir, silentLogger)
  t.equal(await modeOf(dir), 0o700)
})

t.test("a folder owned by another user is refused with what to do", { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async t => {
  const dir = path.join(t.testdir(), 'state')
  await fs.mkdir(dir, { mode: 0o755 })
  await fs.chown(dir, 65534, 65534)
  const err = await makeStateDirPrivate(dir, silentLogger).then(() => null, e => e)
  t.type(err, StateDirError)
  t.match(err.message, /belongs to another user \(uid 65534\)/)
  t.match(err.hint, /--state-dir/)
  t.equal(await modeOf(dir), 0o755, 'left as it was')
})

t.test('a file in the way is refused', async t => {
  const file = path.join(t.testdir(), 'state')
  await fs.writeFile(file, '')
  await t.rejects(makeStateDirPrivate(file, silentLogger), { message: /is not a folder/, hint: /--state-dir/ })
})
