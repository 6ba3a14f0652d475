import t from 'tap'
import { readPathRemote } from '../../src/daemon/read-path.js'
import { DfCache } from '../../src/megacmd/df-cache.js'
import type { MegaDf } from '../../src/megacmd/parse-df.js'
import type { RemoteError } from '../../src/remote/remote.js'
import { FakeRemote } from '../helpers/fake-remote.js'
import { ManualTime } from '../helpers/manual-time.js'

const DF: MegaDf = { usedBytes: 100, totalBytes: 1000, availableBytes: 900, usedPercent: 10, cloudDriveBytes: 100, inboxBytes: 0, rubbishBinBytes: 0, incomingSharesBytes: 0, versionsBytes: 0 }

t.test("a mount of MEGA's bridge: df from mega-df, and bridge trouble reported", async t => {
  const bridge = new FakeRemote().addFile('/f.txt', 'x')
  const trouble: string[] = []
  const remote = readPathRemote(bridge, { megaQuota: new DfCache(async () => DF, { time: new ManualTime() }), onBridgeTrouble: (e: RemoteError) => trouble.push(e.kind) })
  t.same(await remote.quota(), { usedBytes: 100, availableBytes: 900 })
  t.equal(bridge.calls.quota, 0, "the bridge's own quota is not asked")
  bridge.failWith('read', 'bridge-down')
  await t.rejects(remote.read('/f.txt', 0, 1), { name: 'RemoteError', kind: 'bridge-down' })
  t.same(trouble, ['bridge-down'])
})

t.test('any other WebDAV server: its own quota', async t => {
  const bridge = new FakeRemote()
  bridge.quotaValue = { usedBytes: 1, availableBytes: 2 }
  const remote = readPathRemote(bridge, { megaQuota: null, onBridgeTrouble: () => t.fail('no trouble') })
  t.same(await remote.quota(), { usedBytes: 1, availableBytes: 2 })
})
