import t from 'tap'
import { describeFailure, isTransientFailure, needsTheUser, retryDelayMs } from '../../../src/vfs/write/upload-backoff.js'
import { RemoteError } from '../../../src/remote/remote.js'

t.test('doubles from the initial delay up to the cap, with ±20% jitter', async t => {
  const mid = { retryInitialDelayMs: 1_000, retryMaxDelayMs: 300_000, random: () => 0.5 }
  t.same([1, 2, 3, 4, 9, 10, 50].map(n => retryDelayMs(n, mid)), [1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000])
  t.equal(retryDelayMs(0, mid), 1_000, 'zero failures counts as the first')
  t.equal(retryDelayMs(1, { ...mid, random: () => 0 }), 800)
  t.equal(retryDelayMs(1, { ...mid, random: () => 0.999999 }), 1_200)
  t.equal(retryDelayMs(20, { ...mid, random: () => 0.999999 }), 300_000, 'never above the cap')
  t.equal(retryDelayMs(20, { ...mid, random: () => 0 }), 240_000)
})

t.test('which failures count: the transport is retried for as long as it takes, a full account or a refused folder fails at once', async t => {
  for (const kind of ['bridge-down', 'timeout', 'busy', 'root-missing'] as const) t.ok(isTransientFailure(new RemoteError(kind, kind)), kind)
  for (const kind of ['no-space', 'forbidden', 'conflict', 'other'] as const) t.notOk(isTransientFailure(new RemoteError(kind, kind)), kind)
  t.ok(needsTheUser(new RemoteError('no-space', 'full', { status: 507 })))
  t.ok(needsTheUser(new RemoteError('forbidden', 'no')))
  t.notOk(needsTheUser(new RemoteError('conflict', 'parent')))
  t.notOk(needsTheUser(new Error('disk')))
  t.equal(describeFailure(new RemoteError('no-space', 'over quota', { status: 507 })), 'no-space (507): over quota')
  t.equal(describeFailure(new RemoteError('timeout', 'no answer')), 'timeout: no answer')
  t.equal(describeFailure(new Error('EIO')), 'EIO')
})
