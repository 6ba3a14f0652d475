import fs from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import t from 'tap'
import { runMountctl } from '../../../src/cli/main.js'
import { packageVersion } from '../../../src/version.js'
import { mountctlFixture } from '../mountctl-fixture.js'

t.test('version: mountctl, the daemon, Node, and the FUSE backend of each mount', async t => {
  const f = await mountctlFixture(t)
  await f.daemon.unmount('photos', { force: true })
  f.backend.handleBackend = 'libfuse3'
  await f.daemon.mount('photos')
  let r = await f.ctl(['version'])
  t.equal(r.code, 0)
  const node = process.versions.node
  t.equal(
    r.stdout,
    `mountctl    ${packageVersion()}  (Node ${node})\nmegamountd  t  (Node ${node}, pid ${process.pid})\nFUSE        photos: libfuse3\n`,
  )
  await f.daemon.unmount('photos', { force: true })
  r = await f.ctl(['version', '--json'])
  t.equal(r.code, 0)
  t.same(JSON.parse(r.stdout), {
    mountctl: { version: packageVersion(), node },
    megamountd: { version: 't', node, pid: process.pid },
    mounts: [{ name: 'photos', backend: null }],
  })
})

t.test('version without a daemon: mountctl\'s own version, exit 3', async t => {
  const f = await mountctlFixture(t)
  const out = { stdout: '', stderr: '' }
  const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), env: {} }
  const socket = path.join(f.dir, 'none.sock')
  t.equal(await runMountctl(['--socket', socket, 'version', '--json'], io), 3)
  t.same(JSON.parse(out.stdout), { mountctl: { version: packageVersion(), node: process.versions.node }, megamountd: null, mounts: [] })
  out.stdout = ''
  t.equal(await runMountctl(['--socket', socket, 'version'], io), 3)
  t.match(out.stdout, /^mountctl {4}\S+ .*\nmegamountd {2}not running \(nothing answers on .*none\.sock\)\n$/)
})

t.test('version against a daemon older than the command says to restart it', async t => {
  const f = await mountctlFixture(t)
  const socket = path.join(f.dir, 'old.sock')
  const old = net.createServer(c =>
    c.on('data', d => c.write(`${JSON.stringify({ id: JSON.parse(String(d)).id, ok: false, error: { message: 'unknown command "version"' } })}\n`)),
  )
  await new Promise<void>(r => old.listen(socket, r))
  t.teardown(() => old.close())
  const out = { stdout: '', stderr: '' }
  const io = { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), env: {} }
  t.equal(await runMountctl(['--socket', socket, 'version'], io), 1)
  t.match(out.stdout, /megamountd {2}answers, but not to "version" \(unknown command "version"\): it is older than this mountctl; restart it\n$/)
  await fs.rm(socket, { force: true })
})
