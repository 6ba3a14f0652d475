import t from 'tap'
import { formatAge, formatStatusTable } from '../../src/cli/format-status.js'
import type { MountStatus } from '../../src/control/wire-types.js'

const NOW = Date.parse('2026-11-29T12:00:00Z')

function mount(over: Partial<MountStatus>): MountStatus {
  return {
    name: 'photos',
    mountpoint: '/home/me/MEGA/Photos',
    url: 'http://127.0.0.1:4443/h/Photos',
    megaPath: null,
    state: 'mounted',
    wanted: true,
    readOnly: false,
    since: new Date(NOW).toISOString(),
    bridge: { reachable: true, latencyMs: 3, checkedAt: new Date(NOW).toISOString() },
    cache: { entries: 10, hitRate: 0.5 },
    duplicateNames: 0,
    lastError: null,
    ...over,
  }
}

t.test('a degraded mount says how old the tree it shows is', async t => {
  const treeAt = new Date(NOW - 3 * 3600_000).toISOString()
  const out = formatStatusTable([mount({ state: 'degraded', bridge: { reachable: false, latencyMs: null, checkedAt: null }, store: { treeAt, warning: null } })], '/home/me', NOW)
  t.match(out, /\n    tree:    as of \d{4}-\d\d-\d\d \d\d:\d\d \(3 h ago\): the bridge is not answering/)
  t.notMatch(formatStatusTable([mount({ store: { treeAt, warning: null } })], '/home/me', NOW), /tree:/, 'not while mounted')
})

t.test('a rebuilt store and offline folders get a line each', async t => {
  const out = formatStatusTable(
    [
      mount({
        store: { treeAt: null, warning: 'the store was damaged and rebuilt empty (file is not a database)' },
        offline: { folders: ['/Documents'], state: 'downloading', files: 200, bytes: 4_000_000, pinnedFiles: 150, pinnedBytes: 3_100_000, checkedAt: null, error: null },
      }),
    ],
    undefined,
    NOW,
  )
  t.match(out, /    store:   the store was damaged and rebuilt empty/)
  t.match(out, /    offline: \/Documents: 150 of 200 files \(3\.1 MB of 4\.0 MB\) on disk, downloading\n/)
  const done = formatStatusTable(
    [mount({ offline: { folders: ['/Documents'], state: 'up to date', files: 200, bytes: 4_000_000, pinnedFiles: 200, pinnedBytes: 4_000_000, checkedAt: null, error: null } })],
    undefined,
    NOW,
  )
  t.match(done, /    offline: \/Documents: all 200 files \(4\.0 MB\) on disk, up to date\n/)
  const rechecking = formatStatusTable(
    [mount({ offline: { folders: ['/Documents'], state: 'checking', files: 200, bytes: 4_000_000, pinnedFiles: 200, pinnedBytes: 4_000_000, checkedAt: null, error: null } })],
    undefined,
    NOW,
  )
  t.match(rechecking, /    offline: \/Documents: all 200 files \(4\.0 MB\) on disk, checking for changes\n/, 'a later check keeps the totals')
  const firstCheck = formatStatusTable(
    [mount({ offline: { folders: ['/Documents'], state: 'checking', files: 0, bytes: 0, pinnedFiles: 0, pinnedBytes: 0, checkedAt: null, error: null } })],
    undefined,
    NOW,
  )
  t.match(firstCheck, /    offline: \/Documents: 0 of 0 files \(0 bytes of 0 bytes\) on disk, checking\n/, 'a first check has nothing to show yet')
})

t.test('ages read as a person would say them', async t => {
  t.same([5_000, 600_000, 5 * 3600_000, 3 * 86_400_000].map(formatAge), ['5 s', '10 min', '5 h', '3 days'])
})

t.test('failed operations get a line with how many, which errno and the last one', async t => {
  const last = { at: new Date(NOW - 12_000).toISOString(), op: 'read', path: '/b.txt', code: 'ETIMEDOUT', message: 'read /b.txt: the bridge did not answer within 30 s' }
  const out = formatStatusTable([mount({ errors: { count: 3, byCode: { ETIMEDOUT: 1, EIO: 2 }, last } })], '/home/me', NOW)
  t.match(out, "\n    failed:  3 operations since mounted (EIO 2, ETIMEDOUT 1); last 12 s ago: read /b.txt: the bridge did not answer within 30 s (the daemon's log has each)")
  t.notMatch(formatStatusTable([mount({ errors: { count: 0, byCode: {}, last: null } })], '/home/me', NOW), /failed:/, 'no line when nothing failed')
  t.notMatch(formatStatusTable([mount({})], '/home/me', NOW), /failed:/, 'nor from a daemon without the field')
})
