// WebDavRemote against a real, independent WebDAV server: `rclone serve
// webdav` over a temporary folder, on a free 127.0.0.1 port. Skipped, with
// the reason, when rclone is not installed (scripts/setup.sh installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { WebDavRemote } from '../../src/remote/webdav-remote.js'

const rcloneMissing = spawnSync('rclone', ['version'], { stdio: 'ignore' }).error
  ? 'rclone is not installed: run scripts/setup.sh (or apt-get install rclone) to run this test'
  : false

const ODD_NAMES = ['a b.txt', 'plus+sign.txt', '100%.txt', 'hash#tag.txt', 'what?.txt', 'a&b.txt', `quote"s'.txt`, 'café 日本.txt']
const ODD_DIR = `dir +%#?&"' ü`

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise(resolve => server.close(resolve))
  return port
}

async function startRclone(root: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort()
  const child = spawn('rclone', ['serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--config', '/dev/null', root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let log = ''
    child.stderr?.on('data', (c: Buffer) => {
      log += c.toString()
      if (/started on|Serving on/i.test(log)) resolve()
    })
    child.on('exit', code => reject(new Error(`rclone serve webdav exited (${code}) before serving:\n${log}`)))
  })
  return { url: `http://127.0.0.1:${port}/`, child }
}

t.test('against rclone serve webdav', { skip: rcloneMissing }, async t => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'webdav-rclone-'))
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'webdav-rclone-local-'))
  t.teardown(() => {
    fs.rmSync(root, { recursive: true, force: true })
    fs.rmSync(scratch, { recursive: true, force: true })
  })
  fs.mkdirSync(path.join(root, ODD_DIR))
  ODD_NAMES.forEach((name, i) => fs.writeFileSync(path.join(root, ODD_DIR, name), `content ${i} of ${name}`))
  const digits = Buffer.from('0123456789'.repeat(1000))
  fs.writeFileSync(path.join(root, 'digits.txt'), digits)

  const { url, child } = await startRclone(root)
  t.teardown(() => {
    child.kill()
  })
  const remote = new WebDavRemote({ url, requestTimeoutMs: 10_000 })

  const top = await remote.list('/')
  t.equal(top.self.isDir, true)
  t.same(top.entries.map(e => e.name).sort(), [ODD_DIR, 'digits.txt'].sort())
  t.same(top.duplicateNames, [])

  const odd = await remote.list(ODD_DIR)
  t.equal(odd.self.name, ODD_DIR)
  t.same(odd.entries.map(e => e.name).sort(), [...ODD_NAMES].sort())
  for (const [i, name] of ODD_NAMES.entries()) {
    const expected = `content ${i} of ${name}`
    const entry = odd.entries.find(e => e.name === name)
    t.equal(entry?.size, Buffer.byteLength(expected), `size of ${name}`)
    t.equal(entry?.isDir, false)
    t.ok(entry?.etag, 'rclone sends etags')
    t.equal((await remote.read(`/${ODD_DIR}/${name}`, 0, 4096)).toString(), expected, `read ${name}`)
  }

  const stat = await remote.stat('/digits.txt')
  t.equal(stat.name, 'digits.txt')
  t.equal(stat.size, digits.length)
  t.ok(stat.mtimeMs !== null && Math.abs(stat.mtimeMs - fs.statSync(path.join(root, 'digits.txt')).mtimeMs) < 2000)
  t.same(await remote.read('/digits.txt', 1234, 10), digits.subarray(1234, 1244))
  t.same(await remote.read('/digits.txt', digits.length - 3, 100), digits.subarray(-3))
  t.equal((await remote.read('/digits.txt', digits.length + 10, 5)).length, 0)

  await remote.mkdir('/new dir')
  // rclone answers 201 to MKCOL of an existing folder; a file in the way is 405.
  await remote.mkdir('/new dir')
  await t.rejects(remote.mkdir('/digits.txt'), { name: 'RemoteError', kind: 'exists' })
  await t.rejects(remote.mkdir('/no such parent/child'), { name: 'RemoteError', kind: 'conflict' })

  const upload = path.join(scratch, 'upload.bin')
  const uploaded = Buffer.alloc(3 << 20)
  for (let i = 0; i < uploaded.length; i++) uploaded[i] = (i * 31) & 0xff
  fs.writeFileSync(upload, uploaded)
  let lastProgress = 0
  await remote.put('/new dir/up+load #1 ?.bin', upload, { onProgress: n => (lastProgress = n) })
  t.equal(lastProgress, uploaded.length)
  t.same(fs.readFileSync(path.join(root, 'new dir', 'up+load #1 ?.bin')), uploaded)

  await remote.copy('/new dir/up+load #1 ?.bin', '/new dir/copy & co.bin')
  t.same(fs.readFileSync(path.join(root, 'new dir', 'copy & co.bin')), uploaded)
  await t.rejects(remote.move('/new dir/copy & co.bin', '/new dir/up+load #1 ?.bin', { overwrite: false }), { name: 'RemoteError', kind: 'exists' })
  await remote.move('/new dir/copy & co.bin', `/${ODD_DIR}/moved 100%.bin`)
  t.notOk(fs.existsSync(path.join(root, 'new dir', 'copy & co.bin')))
  t.ok(fs.existsSync(path.join(root, ODD_DIR, 'moved 100%.bin')))

  await remote.move('/new dir', '/renamed dir')
  t.same((await remote.list('/renamed dir')).entries.map(e => e.name), ['up+load #1 ?.bin'])

  await remote.delete('/renamed dir/up+load #1 ?.bin')
  await remote.delete('/renamed dir')
  t.notOk(fs.existsSync(path.join(root, 'renamed dir')))
  await t.rejects(remote.stat('/renamed dir'), { name: 'RemoteError', kind: 'not-found' })
  await t.rejects(remote.read('/gone.txt', 0, 1), { name: 'RemoteError', kind: 'not-found' })

  const subtree = new WebDavRemote({ url: url + encodeURIComponent(ODD_DIR) })
  t.same((await subtree.list('/')).entries.length, ODD_NAMES.length + 1, 'a subfolder URL with odd characters works as the root')
  const missingRoot = new WebDavRemote({ url: url + 'no-such-folder' })
  await t.rejects(missingRoot.list('/'), { name: 'RemoteError', kind: 'root-missing' })
  await t.rejects(missingRoot.stat('/x'), { name: 'RemoteError', kind: 'root-missing' })

  const quota = await remote.quota()
  t.ok(quota === null || (quota.availableBytes >= 0 && quota.usedBytes >= 0), `quota: ${JSON.stringify(quota)}`)
  t.equal(remote.stats().inFlight, 0)
})
