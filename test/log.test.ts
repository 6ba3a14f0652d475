import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger } from '../src/log.js'

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: createLogger('debug', stream) }
}

const count = (line: string, key: string) => line.split(`"${key}":`).length - 1

t.test('nested children log each key once: the innermost component, the mount of the outer one', async t => {
  const { lines, logger } = capture()
  const supervisor = logger.child({ component: 'supervisor', mount: 'photos' })
  const vfs = supervisor.child({ component: 'vfs' })
  const writes = vfs.child({ component: 'writes' })
  writes.info({ path: '/a.txt' }, 'queued')
  supervisor.info('state mounted')
  await new Promise(r => setImmediate(r))
  t.equal(lines.length, 2)
  const [inner, outer] = lines.map(l => JSON.parse(l))
  t.match(inner, { component: 'writes', mount: 'photos', path: '/a.txt', msg: 'queued', pid: process.pid })
  t.match(outer, { component: 'supervisor', mount: 'photos' })
  for (const key of ['component', 'mount', 'pid']) t.equal(count(lines[0]!, key), 1, `"${key}" once in the nested line`)
  t.same(writes.bindings(), { component: 'writes', mount: 'photos' })
})

t.test('the level of the root still applies to every child', async t => {
  const { lines, logger } = capture()
  logger.level = 'warn'
  logger.child({ component: 'a' }).child({ component: 'b' }).info('dropped')
  logger.child({ component: 'a' }).child({ component: 'b' }).warn('kept')
  await new Promise(r => setImmediate(r))
  t.same(lines.map(l => JSON.parse(l).msg), ['kept'])
})
