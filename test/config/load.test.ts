import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { ConfigError } from '../../src/config/config-error.js'
import { loadConfig, parseConfigText } from '../../src/config/load.js'
import { PROFILE_DEFAULTS } from '../../src/config/types.js'

const URL_OK = 'http://127.0.0.1:4443/f1Y2lIrD/Photos'

// Mountpoints under a home that does not exist: missing folders are fine.
async function parse(mounts: unknown[]) {
  const text = JSON.stringify({ mounts })
  return parseConfigText('/cfg/mounts.json', text, { home: '/nonexistent-home', mountTable: [] })
}


t.test('a valid profile gets defaults and ~ expanded', async t => {
  const cfg = await parse([{ name: 'photos', url: URL_OK, mountpoint: '~/MEGA/Photos' }])
  t.same(cfg.rejected, [])
  const p = cfg.mounts[0]!
  t.equal(p.cacheTtlMs, PROFILE_DEFAULTS.cacheTtlMs)
  t.equal(p.autostart, true)
  t.equal(p.megaPath, null)
  t.ok(path.isAbsolute(p.mountpoint))
  t.ok(p.mountpoint.endsWith('/MEGA/Photos'))
  t.equal(cfg.settings.healthIntervalSeconds, 15)
})

t.test('each kind of mistake names the file, the profile and the field', async t => {
  const cases: [string, unknown, RegExp, RegExp][] = [
    ['unknown field', { name: 'a', url: URL_OK, mountpoint: '/m/a', cacheTTLms: 5 }, /mounts\.json: profile "a" \(mounts\[0\]\): field "cacheTTLms": unknown field; did you mean "cacheTtlMs"\?/, /rename it to "cacheTtlMs"/],
    ['wrong type', { name: 'a', url: URL_OK, mountpoint: '/m/a', cacheTtlMs: '60s' }, /field "cacheTtlMs": must be a whole number of milliseconds .*\(got "60s"\)/, /fix "cacheTtlMs"/],
    ['bad url scheme', { name: 'a', url: 'ftp://x/y', mountpoint: '/m/a' }, /field "url": must start with http:\/\/ or https:\/\//, /mega-webdav/],
    ['url with query', { name: 'a', url: URL_OK + '?x=1', mountpoint: '/m/a' }, /field "url": must not contain a query/, /mega-webdav/],
    ['url with fragment', { name: 'a', url: URL_OK + '#x', mountpoint: '/m/a' }, /field "url": must not contain a fragment/, /mega-webdav/],
    ['not a url', { name: 'a', url: 'photos', mountpoint: '/m/a' }, /field "url": is not a URL/, /mega-webdav/],
    ['no url nor megaPath', { name: 'a', mountpoint: '/m/a' }, /field "url": is missing/, /megaPath/],
    ['url and megaPath', { name: 'a', url: URL_OK, megaPath: '/Photos', mountpoint: '/m/a' }, /field "megaPath": is given together with "url"/, /remove the other/],
    ['unsafe name', { name: 'my photos/x', url: URL_OK, mountpoint: '/m/a' }, /field "name": must be 1-64 characters/, /fix "name"/],
    ['relative mountpoint', { name: 'a', url: URL_OK, mountpoint: 'MEGA/a' }, /field "mountpoint": must be an absolute path/, /~\/MEGA\/a/],
    ['missing mountpoint', { name: 'a', url: URL_OK }, /field "mountpoint": .*\(it is missing\)/, /fix "mountpoint"/],
    ['bad deleteMode', { name: 'a', url: URL_OK, mountpoint: '/m/a', deleteMode: 'bin' }, /field "deleteMode": must be "trash"/, /fix/],
  ]
  for (const [what, profile, message, hint] of cases) {
    const cfg = await parse([profile])
    t.equal(cfg.mounts.length, 0, what)
    t.match(cfg.rejected[0]?.error.message, message, what)
    t.match(cfg.rejected[0]?.error.hint, hint, what)
  }
})

t.test('a profile without a usable name is named by its index', async t => {
  const cfg = await parse([{ url: URL_OK, mountpoint: '/m/a' }, 7])
  t.match(cfg.rejected[0]!.error.message, /mounts\.json: mounts\[0\]: field "name"/)
  t.match(cfg.rejected[1]!.error.message, /mounts\.json: mounts\[1\]: must be an object/)
})

t.test('duplicates and nesting are refused, the first profile is kept', async t => {
  const cfg = await parse([
    { name: 'a', url: URL_OK, mountpoint: '/m/a' },
    { name: 'a', url: URL_OK, mountpoint: '/m/b' },
    { name: 'c', url: URL_OK, mountpoint: '/m/a' },
    { name: 'd', url: URL_OK, mountpoint: '/m/a/inner' },
    { name: 'e', url: URL_OK, mountpoint: '/m' },
    { name: 'f', url: URL_OK, mountpoint: '/m/ab' },
  ])
  t.same(cfg.mounts.map(m => m.name), ['a', 'f'])
  t.match(cfg.rejected[0]!.error.message, /profile "a" \(mounts\[1\]\): field "name": "a" is already used by profile "a" \(mounts\[0\]\)/)
  t.match(cfg.rejected[1]!.error.message, /profile "c" .*field "mountpoint": "\/m\/a" is already the mountpoint of profile "a"/)
  t.match(cfg.rejected[2]!.error.message, /profile "d" .*field "mountpoint": .* is inside the mountpoint of profile "a"/)
  t.match(cfg.rejected[3]!.error.message, /profile "e" .*field "mountpoint": .* contains the mountpoint of profile "a"/)
})

t.test('mountpoints on disk: a file, a non-empty folder, a foreign mount', async t => {
  const dir = t.testdir({ file: 'x', full: { a: 'x' }, empty: {}, rclone: {}, ours: { b: 'y' } })
  const text = JSON.stringify({
    mounts: [
      { name: 'file', url: URL_OK, mountpoint: path.join(dir, 'file') },
      { name: 'full', url: URL_OK, mountpoint: path.join(dir, 'full') },
      { name: 'empty', url: URL_OK, mountpoint: path.join(dir, 'empty') },
      { name: 'missing', url: URL_OK, mountpoint: path.join(dir, 'missing') },
      { name: 'rclone', url: URL_OK, mountpoint: path.join(dir, 'rclone') },
      { name: 'ours', url: URL_OK, mountpoint: path.join(dir, 'ours') },
    ],
  })
  const cfg = await parseConfigText('/cfg/mounts.json', text, {
    mountTable: [
      { source: 'remote:', mountpoint: path.join(dir, 'rclone'), type: 'fuse.rclone' },
      { source: 'megamount:ours', mountpoint: path.join(dir, 'ours'), type: 'fuse' },
    ],
  })
  t.same(cfg.mounts.map(m => m.name), ['empty', 'missing', 'ours'])
  t.match(cfg.rejected[0]!.error.message, /field "mountpoint": ".*file" exists and is not a folder/)
  t.match(cfg.rejected[1]!.error.message, /field "mountpoint": ".*full" is not empty \(1 entry, e.g. "a"\)/)
  t.match(cfg.rejected[2]!.error.message, /is already the mountpoint of fuse.rclone \(remote:\)/)
  t.match(cfg.rejected[2]!.error.hint, /fusermount -u/)
})

t.test('file-level problems are errors with line and column', async t => {
  await t.rejects(parseConfigText('/cfg/mounts.json', '{\n  "mounts": [\n    { "name": "a", }\n  ]\n}'), {
    name: 'ConfigError',
    message: /\/cfg\/mounts\.json: is not valid JSON at line 3, column 20/,
  })
  await t.rejects(parseConfigText('/cfg/mounts.json', '{ "mount": [] }'), { message: /field "mount": unknown field; did you mean "mounts"\?/ })
  await t.rejects(parseConfigText('/cfg/mounts.json', '[]'), { message: /must be a JSON object/ })
  await t.rejects(parseConfigText('/cfg/mounts.json', '{ "settings": { "healthIntervalSeconds": 0 } }'), {
    message: /settings: field "healthIntervalSeconds": must be a whole number of seconds between 1/,
  })
  await t.rejects(parseConfigText('/cfg/mounts.json', '{ "settings": { "healthInterval": 5 } }'), {
    message: /did you mean "healthIntervalSeconds"/,
  })
  const err = await parseConfigText('/cfg/mounts.json', '{').catch(e => e)
  t.ok(err instanceof ConfigError)
  t.match(err.hint, /nothing was changed/)
})

t.test('a missing file means no mounts', async t => {
  const dir = t.testdir({})
  const cfg = await loadConfig(path.join(dir, 'nope.json'))
  t.equal(cfg.missing, true)
  t.same(cfg.mounts, [])
})

t.test('loadConfig reads a file from disk', async t => {
  const dir = t.testdir({})
  const file = path.join(dir, 'mounts.json')
  await fs.writeFile(file, JSON.stringify({ settings: { healthIntervalSeconds: 5 }, mounts: [{ name: 'a', url: URL_OK, mountpoint: path.join(dir, 'mnt') }] }))
  const cfg = await loadConfig(file)
  t.equal(cfg.settings.healthIntervalSeconds, 5)
  t.equal(cfg.mounts[0]!.mountpoint, path.join(dir, 'mnt'))
})

t.test('a symlink mountpoint is resolved: the profile carries the real path; links into a megamount mount are refused', async t => {
  const dir = await fs.realpath(t.testdir({ real: {}, mega: {} }))
  await fs.symlink(path.join(dir, 'real'), path.join(dir, 'link'))
  await fs.symlink(path.join(dir, 'mega'), path.join(dir, 'into-mega'))
  const text = JSON.stringify({
    mounts: [
      { name: 'viaLink', url: URL_OK, mountpoint: path.join(dir, 'link') },
      { name: 'same', url: URL_OK, mountpoint: path.join(dir, 'real') },
      { name: 'nested', url: URL_OK, mountpoint: path.join(dir, 'into-mega', 'sub') },
    ],
  })
  const cfg = await parseConfigText('/cfg/mounts.json', text, {
    mountTable: [{ source: 'megamount:other', mountpoint: path.join(dir, 'mega'), type: 'fuse.megamount' }],
  })
  t.same(cfg.mounts.map(m => [m.name, m.mountpoint]), [['viaLink', path.join(dir, 'real')]])
  t.match(cfg.rejected[0]!.error.message, /profile "same".*field "mountpoint": ".*real" is already the mountpoint of profile "viaLink"/)
  t.match(cfg.rejected[1]!.error.message, new RegExp(`field "mountpoint": "${path.join(dir, 'mega', 'sub')}" is inside the megamount mount "other" at ${path.join(dir, 'mega')}`))
  t.equal(cfg.rejected[1]!.mountpoint, path.join(dir, 'mega', 'sub'), 'the real path is shown')
})
