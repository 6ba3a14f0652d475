import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { END_MARKER, OPTION_TABLES, beginMarker, optionsTable, withOptionTables } from '../../src/config/options-doc.js'

const page = path.resolve(import.meta.dirname, '..', '..', 'docs', 'configuration.md')

t.test("docs/configuration.md's option tables are the ones src/config/options.ts makes", async t => {
  const doc = await fs.readFile(page, 'utf8')
  t.equal(doc, withOptionTables(doc), 'the page differs from src/config/options.ts: run npm run docs:options (and commit the page)')
  for (const table of OPTION_TABLES) t.ok(doc.includes(`${beginMarker(table)}\n${optionsTable(table)}\n${END_MARKER}`), `${table} table in place`)
})

t.test('a table edited by hand, or markers removed, is caught', async t => {
  const doc = await fs.readFile(page, 'utf8')
  const edited = doc.replace('| `cacheTtlMs` | milliseconds, 0-86400000 | `60000` |', '| `cacheTtlMs` | milliseconds, 0-86400000 | `90000` |')
  t.not(edited, doc, 'the edit applies')
  t.not(withOptionTables(edited), edited)
  const unmarked = doc.replace(beginMarker('internal'), '')
  t.throws(() => withOptionTables(unmarked), { message: /no "<!-- options table: internal/ })
})

t.test('rows: units, defaults with binary units, required fields, escaped pipes', async t => {
  const profile = optionsTable('profile')
  t.match(profile, '| `name` | string, 1-64 of `A-Z a-z 0-9 . _ -` | required |')
  t.match(profile, '| `url` | `http://` or `https://` URL | - |')
  t.match(profile, '| `diskCacheMaxBytes` | bytes, 0-1125899906842624 (1 PiB) | `2147483648` (2 GiB) |')
  t.match(profile, '| `deleteMode` | `"trash"` or `"permanent"` | `"trash"` |')
  t.match(optionsTable('settings'), '| `megacmdPath` | folder path or `null` | `null` |')
  t.match(optionsTable('internal'), '| `readCacheMaxBytes` | bytes | `33554432` (32 MiB) |')
  for (const line of optionsTable('internal').split('\n')) t.equal(line.split(/(?<!\\)\|/).length, 7, 'five cells')
})
