import t from 'tap'
import { DfCache } from '../../src/megacmd/df-cache.js'
import { ManualTime } from '../helpers/manual-time.js'
import { quotaFromDf, withMegaQuota } from '../../src/megacmd/mega-quota.js'
import type { MegaDf } from '../../src/megacmd/parse-df.js'
import type { Remote } from '../../src/remote/remote.js'

const DF: MegaDf = {
  usedBytes: 1246913568,
  totalBytes: 21474836480,
  availableBytes: 21474836480 - 1246913568,
  usedPercent: 5.81,
  cloudDriveBytes: 0,
  inboxBytes: 0,
  rubbishBinBytes: 0,
  incomingSharesBytes: 0,
  versionsBytes: 0,
}

const remote = {
  name: 'remote',
  quota: async () => ({ usedBytes: 1, availableBytes: 2 }),
  whoAmI(this: { name: string }) {
    return this.name
  },
} as unknown as Remote & { whoAmI(): string }

t.test('quota from mega-df', async (t) => {
  const cache = new DfCache(async () => DF, { time: new ManualTime(0) })
  t.same(await quotaFromDf(cache), { usedBytes: 1246913568, availableBytes: 21474836480 - 1246913568 })
  const wrapped = withMegaQuota(remote, cache) as typeof remote
  t.same(await wrapped.quota(), { usedBytes: 1246913568, availableBytes: 21474836480 - 1246913568 })
  t.equal(wrapped.whoAmI(), 'remote', 'other methods reach the remote with its own this')
})

t.test('falls back to the remote while mega-df has nothing', async (t) => {
  const failing = new DfCache(async () => Promise.reject(new Error('MEGAcmd not running')), { time: new ManualTime(0) })
  t.equal(await quotaFromDf(failing), null)
  t.same(await withMegaQuota(remote, failing).quota(), { usedBytes: 1, availableBytes: 2 })
})
