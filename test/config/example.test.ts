import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { parseConfigText } from '../../src/config/load.js'
import { PROFILE_FIELDS, SETTINGS_FIELDS } from '../../src/config/schema.js'

const root = path.resolve(import.meta.dirname, '..', '..')

t.test('mounts.example.json is valid', async t => {
  const text = await fs.readFile(path.join(root, 'mounts.example.json'), 'utf8')
  const cfg = await parseConfigText('mounts.example.json', text, { home: '/nonexistent-home', mountTable: [] })
  t.same(cfg.rejected, [])
  t.same(cfg.mounts.map(m => m.name), ['photos', 'work', 'archive'])
})

t.test('docs/configuration.md documents every field', async t => {
  const doc = await fs.readFile(path.join(root, 'docs', 'configuration.md'), 'utf8')
  for (const f of [...PROFILE_FIELDS, ...SETTINGS_FIELDS]) t.match(doc, `\`${f}\``, f)
})
