import t from 'tap'
import { announceReady, readinessSummary } from '../../src/daemon/readiness.js'
import type { MountStatus } from '../../src/control/wire-types.js'
import { ManualTime, settle } from '../helpers/manual-time.js'
import { READY_WAIT_MAX_SECONDS } from '../../src/config/service-timeouts.js'
import { silentLogger } from '../../src/log.js'

const mount = (name: string, state: MountStatus['state'], wanted = true) => ({ name, state, wanted }) as MountStatus

t.test('summary counts the wanted mounts by state', async t => {
  t.equal(readinessSummary([mount('a', 'mounted'), mount('b', 'waiting'), mount('c', 'waiting'), mount('d', 'unmounted', false)]), '1 of 3 mounts mounted, 2 waiting')
  t.equal(readinessSummary([]), '0 of 0 mounts mounted')
})

t.test('ready is sent once the first attempts have ended, with the summary', async t => {
  const time = new ManualTime()
  let finish!: () => void
  const started = new Promise<void>(r => (finish = r))
  const sent: unknown[] = []
  const done = announceReady(
    { started: () => started, status: () => ({ mounts: [mount('a', 'mounted'), mount('b', 'waiting')] }) },
    { env: {}, logger: silentLogger, time, notify: async m => void sent.push(m) },
  )
  await settle()
  t.same(sent, [], 'not before')
  finish()
  await done
  t.same(sent, [{ ready: true, status: '1 of 2 mounts mounted, 1 waiting' }])
  t.equal(time.pending, 0, 'the backstop timer is cleared')
})

t.test('a first attempt that never ends does not hold readiness past the backstop', async t => {
  const time = new ManualTime()
  const sent: unknown[] = []
  const done = announceReady(
    { started: () => new Promise(() => {}), status: () => ({ mounts: [mount('a', 'waiting')] }) },
    { env: {}, logger: silentLogger, time, notify: async m => void sent.push(m) },
  )
  await time.advance(READY_WAIT_MAX_SECONDS * 1000 - 1)
  t.same(sent, [])
  await time.advance(1)
  await done
  t.same(sent, [{ ready: true, status: '0 of 1 mounts mounted, 1 waiting' }])
})
