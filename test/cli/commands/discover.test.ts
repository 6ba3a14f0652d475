import t from 'tap'
import { makeDiscoverCommand, profileNameFor, suggestProfiles } from '../../../src/cli/commands/discover.js'
import { runMountctl } from '../../../src/cli/main.js'
import { MegaCmd } from '../../../src/megacmd/megacmd.js'
import { MegaCmdError } from '../../../src/megacmd/errors.js'
import type { ServedLocation } from '../../../src/megacmd/parse-webdav.js'
import { fileURLToPath } from 'node:url'

const CANNED = fileURLToPath(new URL('../../fixtures/megacmd-canned', import.meta.url))

async function discover(served: () => Promise<ServedLocation[]>, ...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const paths: Array<string | null> = []
  const command = makeDiscoverCommand((p) => {
    paths.push(p)
    return { ...new MegaCmd(), servedLocations: served } as never
  })
  const code = await runMountctl(['discover', ...argv], { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), env: { HOME: '/nonexistent-home' } }, [command])
  return { code, stdout, stderr, paths }
}

t.test('names: safe, unique, root named', async (t) => {
  const taken = new Set<string>()
  t.equal(profileNameFor('/My Photos', taken), 'My-Photos')
  t.equal(profileNameFor('/Other/my photos', taken), 'my-photos-2', 'case-insensitive uniqueness')
  t.equal(profileNameFor('/', taken), 'Cloud-Drive')
  t.equal(profileNameFor('/日本', taken), 'mega')
  t.equal(profileNameFor('/..', taken), 'mega-2')
})

t.test('profiles use megaPath, or url with --url; relative paths skipped', async (t) => {
  const locations = [
    { megaPath: '/Photos', url: 'http://127.0.0.1:4443/f1Y2lIrD/Photos' },
    { megaPath: 'relative.tif', url: 'http://127.0.0.1:4443/XXXXXXXX/relative.tif' },
  ]
  t.same(suggestProfiles(locations, { useUrl: false }), [{ name: 'Photos', megaPath: '/Photos', mountpoint: '~/MEGA/Photos' }])
  t.same(suggestProfiles(locations, { useUrl: true }), [{ name: 'Photos', url: 'http://127.0.0.1:4443/f1Y2lIrD/Photos', mountpoint: '~/MEGA/Photos' }])
})

t.test('mountctl discover prints pasteable JSON on stdout, the listing on stderr', async (t) => {
  const r = await discover(async () => [{ megaPath: '/Work: notes', url: 'http://127.0.0.1:4443/Ab-_9xYz/Work%3a%20notes' }])
  t.equal(r.code, 0)
  t.same(JSON.parse(r.stdout), [{ name: 'Work-notes', megaPath: '/Work: notes', mountpoint: '~/MEGA/Work-notes' }])
  t.match(r.stderr, /MEGAcmd serves 1 location\(s\):\n  \/Work: notes  http:\/\/127.0.0.1:4443\/Ab-_9xYz\/Work%3a%20notes\n/)
  t.same(r.paths, [null], 'no config file: MEGAcmd from PATH')
})

t.test('nothing served, or MEGAcmd failing: exit 1 with what to do', async (t) => {
  const none = await discover(async () => [])
  t.equal(none.code, 1)
  t.match(none.stderr, /serve one:  mega-webdav \/Photos/)
  const down = await discover(async () => Promise.reject(new MegaCmdError('megacmd-not-running', 'cannot reach the server', { fix: 'start it' })))
  t.equal(down.code, 1)
  t.equal(down.stderr, 'mountctl discover: cannot reach the server\n  fix: start it\n')
})

t.test('the real command against the canned stand-ins', async (t) => {
  let stdout = ''
  const cmd = makeDiscoverCommand(() => new MegaCmd({ megacmdPath: CANNED, env: { ...process.env, MEGACMD_CANNED: 'logged-in' } }))
  const code = await runMountctl(['discover', '--url'], { stdout: (s) => void (stdout += s), stderr: () => {}, env: { HOME: '/nonexistent-home' } }, [cmd])
  t.equal(code, 0)
  const profiles = JSON.parse(stdout) as Array<{ name: string; url: string }>
  t.same(profiles.map((p) => p.name), ['Photos', 'Work-notes', 'Odd-http-stuff', 'Cloud-Drive', 'movie.mp4'])
  t.equal(profiles[3]!.url, 'http://127.0.0.1:4443/rootHND1/Cloud%20Drive')
})
