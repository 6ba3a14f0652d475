import t from 'tap'
import { afterFailure, isTransient, needsTheUser, retryDelayMs } from '../../../src/vfs/write/upload-retry.js'

const mid = { retryInitialDelayMs: 1_000, retryMaxDelayMs: 300_000, random: () => 0.5 }

t.test('doubles from the initial delay up to the cap, with ±20% jitter', async t => {
  t.same([1, 2, 3, 4, 9, 10, 50].map(n => retryDelayMs(n, mid)), [1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000])
  t.equal(retryDelayMs(0, mid), 1_000, 'zero failures counts as the first')
  t.equal(retryDelayMs(1, { ...mid, random: () => 0 }), 800)
  t.equal(retryDelayMs(1, { ...mid, random: () => 0.999999 }), 1_200)
  t.equal(retryDelayMs(20, { ...mid, random: () => 0.999999 }), 300_000, 'never above the cap')
  t.equal(retryDelayMs(20, { ...mid, random: () => 0 }), 240_000)
})

t.test('which failures count: the transport is retried for as long as it takes, a full account or a refused folder fails at once', async t => {
  for (const kind of ['bridge-down', 'timeout', 'busy', 'root-missing'] as const) t.ok(isTransient(kind), kind)
  for (const kind of ['no-space', 'forbidden', 'conflict', 'other', 'local', 'incomplete'] as const) t.notOk(isTransient(kind), kind)
  t.ok(needsTheUser('no-space'))
  t.ok(needsTheUser('forbidden'))
  t.ok(needsTheUser('incomplete'))
  t.notOk(needsTheUser('conflict'))
  t.notOk(needsTheUser('local'))
})

t.test('after a failure: retried later, counted or not, or given up', async t => {
  const fresh = { attempts: 0, transientFailures: 0 }
  t.same(afterFailure('bridge-down', { attempts: 2, transientFailures: 3 }, 5, mid), { action: 'retry', counted: false, delayMs: 8_000 }, 'transient: backoff by transient failures, attempts untouched')
  t.same(afterFailure('no-space', fresh, 5, mid), { action: 'give-up', attempts: 1 }, 'a full account fails at once')
  t.same(afterFailure('forbidden', fresh, 5, mid), { action: 'give-up', attempts: 1 })
  t.same(afterFailure('other', fresh, 5, mid), { action: 'retry', counted: true, attempts: 1, delayMs: 1_000 })
  t.same(afterFailure('local', { attempts: 3, transientFailures: 0 }, 5, mid), { action: 'retry', counted: true, attempts: 4, delayMs: 8_000 })
  t.same(afterFailure('conflict', { attempts: 4, transientFailures: 0 }, 5, mid), { action: 'give-up', attempts: 5 }, 'the fifth counted failure gives up')
  t.same(afterFailure('timeout', { attempts: 4, transientFailures: 0 }, 5, mid), { action: 'retry', counted: false, delayMs: 1_000 }, 'transient ones never give up')
})
