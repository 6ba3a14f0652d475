// Comments point at files that exist: every docs/*.md, src/... and test/...
// path, and every bare upper-case page name (like the bridge's facts page
// in docs/), cited in src/ and test/ is a file of the repository. The FUSE
// backends (src/fuse/, test/fuse/) are left to their rewrite.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'

const root = path.resolve(import.meta.dirname, '..')

function files(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap(e => {
    const rel = path.join(dir, e.name)
    if (e.isDirectory()) return rel === path.join('src', 'fuse') || rel === path.join('test', 'fuse') || e.name === 'fixtures' ? [] : files(rel)
    return e.name.endsWith('.ts') ? [rel] : []
  })
}

const CITED = /(?<![\w/.-])((?:docs|src|test|bench|scripts)\/[\w./-]+\.(?:md|ts|mjs|sh)|[A-Z][A-Z0-9_-]*\.md)\b/g

t.test('every file a comment cites exists', async t => {
  const missing: string[] = []
  for (const file of [...files('src'), ...files('test')]) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    for (const m of text.matchAll(CITED)) {
      const cited = m[1]!
      const target = cited.includes('/') ? cited : path.join('docs', cited)
      const asTs = target.replace(/\.js$/, '.ts')
      if (!fs.existsSync(path.join(root, target)) && !fs.existsSync(path.join(root, asTs)) && cited !== 'README.md') missing.push(`${file}: ${cited}`)
    }
  }
  t.same(missing, [], 'cited but not in the repository')
})
