// The folders of src/ form layers (the README's layout paragraph draws
// them): a folder imports only from the layers below its own, so there is no
// import cycle between folders, and mountctl (cli) and the daemon meet only
// in the control protocol below them both.
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'

const src = path.resolve(import.meta.dirname, '..', 'src')

/** Top to bottom; `base` is the modules directly in src/ (clock, cron, log, errors, ...). */
const LAYERS = [['bin'], ['cli', 'daemon'], ['doctor'], ['fuse', 'service', 'emulator'], ['vfs', 'megacmd'], ['remote', 'control'], ['config'], ['base']]

function folderOf(file: string): string {
  const rel = path.relative(src, file).split(path.sep)
  return rel.length === 1 ? 'base' : rel[0]!
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.[^']+)'/gm

/** folder -> folder -> one importing file, for the message. */
function edges(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>()
  for (const file of sources(src)) {
    const from = folderOf(file)
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const to = folderOf(path.resolve(path.dirname(file), m[1]!))
      if (to === from) continue
      if (!graph.has(from)) graph.set(from, new Map())
      graph.get(from)!.set(to, path.relative(src, file))
    }
  }
  return graph
}

t.test('every folder of src/ has its layer', async t => {
  const folders = new Set([...fs.readdirSync(src, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name), 'base'])
  t.same([...folders].sort(), LAYERS.flat().sort())
})

t.test('imports go only down the layers: no folder imports its own layer or one above', async t => {
  const layerOf = new Map(LAYERS.flatMap((names, i) => names.map(n => [n, i] as const)))
  const wrong: string[] = []
  for (const [from, targets] of edges()) {
    for (const [to, file] of targets) if (layerOf.get(to)! <= layerOf.get(from)!) wrong.push(`${from} -> ${to} (${file})`)
  }
  t.same(wrong, [])
})

t.test('there is no import cycle between folders', async t => {
  const graph = edges()
  const cycles: string[] = []
  const walk = (node: string, trail: string[]) => {
    if (trail.includes(node)) return void cycles.push([...trail.slice(trail.indexOf(node)), node].join(' -> '))
    for (const next of graph.get(node)?.keys() ?? []) walk(next, [...trail, node])
  }
  for (const node of graph.keys()) walk(node, [])
  t.same(cycles, [])
})

t.test('no module in src/ is over 400 lines (split one along its jobs)', async t => {
  const long = sources(src)
    .map(file => ({ file: path.relative(src, file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(m => m.lines > 400)
    .map(m => `${m.file}: ${m.lines} lines`)
  t.same(long, [])
})
