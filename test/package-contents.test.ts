// What `npm install megamount` gets: help texts and error hints point into
// docs/, so the docs ship with the package, and the help says where they are.
import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { runMountctl } from '../src/cli/main.js'
import { DAEMON_USAGE } from '../src/daemon/daemon-args.js'

const run = promisify(execFile)
const ROOT = path.resolve(import.meta.dirname, '..')

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter(e => e.isFile() && e.name.endsWith('.ts')).map(e => path.join(e.parentPath, e.name))
}

t.test('every docs page that src/ or the README names is in the package', async t => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT })
  const packed = new Set((JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map(f => f.path))
  const texts = await Promise.all([...(await filesUnder(path.join(ROOT, 'src'))), path.join(ROOT, 'README.md')].map(f => fs.readFile(f, 'utf8')))
  const named = new Set(texts.flatMap(text => [...text.matchAll(/\bdocs\/[\w-]+\.md\b/g)].map(m => m[0])))
  t.ok(named.size > 3, `src/ and the README name docs pages (${[...named].join(', ')})`)
  for (const page of named) t.ok(packed.has(page), `${page} is packed`)
  for (const page of await fs.readdir(path.join(ROOT, 'docs'))) t.ok(packed.has(`docs/${page}`), `docs/${page} is packed`)
})

t.test('the help of both commands says where the docs are', async t => {
  let out = ''
  t.equal(await runMountctl(['--help'], { stdout: s => void (out += s), stderr: () => {}, env: {} }), 0)
  const folder = /\nDocumentation: (\S+)\/ /.exec(out)?.[1]
  t.ok(folder, out)
  t.ok((await fs.stat(path.join(folder!, 'configuration.md'))).isFile(), 'the folder named holds the pages')
  t.match(DAEMON_USAGE, `Documentation: ${folder}/ `)
})
