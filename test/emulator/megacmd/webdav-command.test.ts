import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t, { type Test } from 'tap'
import { BridgeEmulator } from '../../../src/emulator/bridge.js'
import { rawRequest } from '../../../src/emulator/raw-request.js'
import { runWebdav } from '../../../src/emulator/megacmd/webdav-command.js'

async function setup(t: Test) {
  const accountRoot = t.testdir({ Photos: { 'a.txt': 'a' }, Docs: {}, 'My Files+': {} })
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-state-'))
  t.teardown(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const stateFile = path.join(stateDir, 'state.json')
  const emulator = new BridgeEmulator({ accountRoot, stateFile })
  await emulator.start()
  t.teardown(() => emulator.stop())
  return { emulator, env: { MEGA_EMULATOR_STATE: stateFile }, stateFile }
}

t.test('list, serve, unserve: byte-exact MEGAcmd output', async t => {
  const { emulator, env } = await setup(t)
  const port = emulator.port
  t.same(runWebdav([], env), { stdout: 'No webdav links found\n', stderr: '', exitCode: 0 })

  const served = runWebdav(['/Photos'], env)
  t.equal(served.exitCode, 0)
  t.match(served.stdout, new RegExp(`^Serving via webdav /Photos: http://127\\.0\\.0\\.1:${port}/[A-Za-z0-9_-]{8}/Photos\\n$`))
  const url = served.stdout.slice('Serving via webdav /Photos: '.length).trim()
  t.same(runWebdav(['/Photos'], env).stdout, served.stdout, 'serving twice gives the same URL')

  const spaced = runWebdav(['My Files+', '--port=9999', '--public'], env)
  t.match(spaced.stdout, /^Serving via webdav My Files\+: http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{8}\/My%20Files%2b\n$/)
  const spacedUrl = spaced.stdout.slice('Serving via webdav My Files+: '.length).trim()

  t.same(runWebdav([], env), {
    stdout: `WEBDAV SERVED LOCATIONS:\n/Photos: ${url}\n/My Files+: ${spacedUrl}\n`,
    stderr: '',
    exitCode: 0,
  })

  // The emulator takes the served path up on its next request.
  const listing = await rawRequest({ port, method: 'PROPFIND', path: new URL(url).pathname })
  t.equal(listing.status, 207)
  t.same(emulator.served().map(s => s.url), [url, spacedUrl])

  t.same(runWebdav(['-d', '/Photos'], env), { stdout: '/Photos no longer served via webdav\n', stderr: '', exitCode: 0 })
  t.equal((await rawRequest({ port, method: 'PROPFIND', path: new URL(url).pathname })).status, 403, 'no longer served')
  t.same(runWebdav(['-d', '/Photos'], env), { stdout: '', stderr: '/Photos is not served via webdav\n', exitCode: 203 })
  t.same(runWebdav(['/Nope'], env), { stdout: '', stderr: 'Path not found: /Nope\n', exitCode: 203 })
  t.equal(runWebdav(['-d'], env).exitCode, 205)
  t.equal(runWebdav(['/a', '/b'], env).exitCode, 205)
})

t.test('a rename shows in the next listing', async t => {
  const { emulator, env } = await setup(t)
  const url = emulator.serve('/Docs')
  emulator.rename('/Docs', 'Papers')
  t.same(runWebdav([], env).stdout, `WEBDAV SERVED LOCATIONS:\n/Papers: ${url.replace(/Docs$/, 'Papers')}\n`)
})

t.test('listener not running, logged out, no server', async t => {
  const { emulator, env, stateFile } = await setup(t)
  emulator.serve('/Docs')
  await emulator.setMode('down')
  t.same(runWebdav([], env), { stdout: 'Webdav server might not running. Add a new location to serve.\n', stderr: '', exitCode: 0 })
  await emulator.setMode('logged-out')
  t.same(runWebdav([], env), { stdout: '', stderr: 'Not logged in.\n', exitCode: 199 })
  await emulator.stop()
  const noServer = { stdout: '', stderr: 'Unable to connect to service: error=111\nPlease ensure mega-cmd-server is running\n', exitCode: 1 }
  t.same(runWebdav([], env), noServer)
  t.same(runWebdav([], { MEGA_EMULATOR_STATE: stateFile + '.missing' }), noServer)
  t.match(runWebdav([], {}), { exitCode: 1, stderr: /set MEGA_EMULATOR_STATE/ })
})
