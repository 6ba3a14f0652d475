import t from 'tap'
import { lineAndColumn, parseJsonWithPosition } from '../../src/config/parse-json.js'

t.test('syntax errors carry line and column of the bad character', async t => {
  t.same(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 })
  t.same(parseJsonWithPosition('{"a": 1}'), { value: { a: 1 } })
  t.match(parseJsonWithPosition('{\n  "mounts": [ } \n'), { error: { line: 2, column: 15, reason: "Unexpected token '}'" } })
  t.match(parseJsonWithPosition('{\n  "a": 1,\n}'), { error: { line: 3, column: 1 } })
  t.match(parseJsonWithPosition('{\n  "a": 1\n  "b": 2\n}'), { error: { line: 3, column: 3 } })
  t.match(parseJsonWithPosition('{"a": '), { error: { line: 1, column: 7, reason: /end of JSON input/ } })
})
