// MEGA's bridge serves no quota property, so statfs on a mount of it would
// show made-up figures. `mega-df` knows the account's real usage: this wraps
// a Remote so its quota() answers from a DfCache instead (one cache per
// account, shared by every mount of it). The cache never waits on a hung
// mega-df beyond its firstWaitMs; null means "unknown" as before.
import type { Quota, Remote } from '../remote/remote.js'
import type { DfCache } from './df-cache.js'

export async function quotaFromDf(dfCache: DfCache): Promise<Quota | null> {
  const df = await dfCache.get()
  return df ? { usedBytes: df.usedBytes, availableBytes: df.availableBytes } : null
}

/** The same remote, with quota() from mega-df; falls back to the remote's own
 *  quota() while mega-df has given nothing. */
export function withMegaQuota(remote: Remote, dfCache: DfCache): Remote {
  return new Proxy(remote, {
    get(target, property, receiver) {
      if (property === 'quota') {
        return async () => (await quotaFromDf(dfCache)) ?? target.quota()
      }
      const value = Reflect.get(target, property, receiver) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}
