// npm run docs:options: rewrites the option tables of docs/configuration.md
// from src/config/options.ts (test/config/options-doc.test.ts fails until
// they agree).
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { withOptionTables } from '../src/config/options-doc.js'

const page = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url))
const before = fs.readFileSync(page, 'utf8')
const after = withOptionTables(before)
if (after === before) {
  process.stdout.write('docs/configuration.md: option tables already up to date\n')
} else {
  fs.writeFileSync(page, after)
  process.stdout.write('docs/configuration.md: option tables rewritten from src/config/options.ts\n')
}
