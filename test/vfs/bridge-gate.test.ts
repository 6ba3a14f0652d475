import t from 'tap'
import { BridgeGate } from '../../src/vfs/bridge-gate.js'

// Every remote call of a mount listens on the gate's one signal, so a busy
// mount (folder prefetch, fills, a copy) has dozens of listeners at once. Node
// warns "possible memory leak" past 10: a false alarm in the daemon's log.
t.test('many concurrent remote calls on the gate signal raise no leak warning', async t => {
  const gate = new BridgeGate()
  const warnings: Error[] = []
  const onWarning = (w: Error) => warnings.push(w)
  process.on('warning', onWarning)
  t.teardown(() => process.off('warning', onWarning))
  for (let round = 0; round < 2; round++) {
    const listeners = Array.from({ length: 50 }, () => () => {})
    for (const l of listeners) gate.signal.addEventListener('abort', l, { once: true })
    // The warning is emitted on a later tick.
    await new Promise(resolve => setImmediate(resolve))
    for (const l of listeners) gate.signal.removeEventListener('abort', l)
    // A new signal after the bridge came back must behave the same.
    gate.setAvailable(false)
    gate.setAvailable(true)
  }
  t.same(warnings.map(w => w.name), [])
})

t.test('the gate aborts calls in flight when the bridge goes down, and fails new ones at once', async t => {
  const gate = new BridgeGate()
  const signal = gate.signal
  gate.setAvailable(false)
  t.ok(signal.aborted)
  t.equal((signal.reason as { code?: string }).code, 'EHOSTDOWN')
  t.throws(() => gate.check('read /a'), { code: 'EHOSTDOWN' })
  gate.setAvailable(true)
  t.notOk(gate.signal.aborted)
  t.doesNotThrow(() => gate.check('read /a'))
})
