import t from 'tap'
import { parseDepth, parseRange, rawHeaderExact } from '../../src/emulator/request-headers.js'

t.test('rawHeaderExact matches the name byte for byte', async t => {
  const raw = ['range', 'bytes=1-2', 'Range', 'bytes=3-4', 'Host', 'x']
  t.equal(rawHeaderExact(raw, 'Range'), 'bytes=3-4')
  t.equal(rawHeaderExact(['range', 'bytes=1-2'], 'Range'), undefined)
})

t.test('parseDepth reads like atoi', async t => {
  t.equal(parseDepth(undefined), 1)
  t.equal(parseDepth('0'), 0)
  t.equal(parseDepth('1'), 1)
  t.equal(parseDepth(' 2x'), 2)
  t.equal(parseDepth('infinity'), 0)
  t.equal(parseDepth(''), 0)
})

t.test('parseRange', async t => {
  t.same(parseRange(undefined, 10), { kind: 'whole' })
  t.same(parseRange('bytes=2-4', 10), { kind: 'partial', start: 2, end: 4 })
  t.same(parseRange('bytes=2-', 10), { kind: 'partial', start: 2, end: 9 })
  t.same(parseRange('bytes=2-100', 10), { kind: 'partial', start: 2, end: 9 })
  t.same(parseRange('bytes=0-', 10), { kind: 'whole' })
  t.same(parseRange('bytes=0-9', 10), { kind: 'whole' })
  t.same(parseRange('bytes=0-8', 10), { kind: 'partial', start: 0, end: 8 })
  t.same(parseRange('bytes=-3', 10), { kind: 'whole' }, 'suffix')
  t.same(parseRange('bytes=1-2,4-5', 10), { kind: 'whole' }, 'several ranges')
  t.same(parseRange('bytes=5-2', 10), { kind: 'whole' }, 'end before start')
  t.same(parseRange('items=1-2', 10), { kind: 'whole' })
  t.same(parseRange('bytes=10-', 10), { kind: 'unsatisfiable' })
  t.same(parseRange('bytes=0-', 0), { kind: 'whole' }, 'empty file')
})
