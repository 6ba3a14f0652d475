import fs from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { apply, edges, GONE, NEW, transition, TRANSITIONS } from '../../../src/vfs/write/upload-lifecycle.js'

const page = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'writes.md')

/** The edges of the first mermaid stateDiagram of docs/writes.md, [*] read
 *  as NEW on the left and GONE on the right. */
function diagramEdges(doc: string): string[] {
  const block = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/.exec(doc)
  if (!block) throw new Error('docs/writes.md has no mermaid stateDiagram-v2 block')
  const found: string[] = []
  for (const line of block[1]!.split('\n')) {
    const m = /^\s*(\[\*\]|[\w-]+)\s*-->\s*(\[\*\]|[\w-]+)\s*:\s*([\w-]+)\s*$/.exec(line)
    if (m) found.push(`${m[1] === '[*]' ? NEW : m[1]} --${m[3]}--> ${m[2] === '[*]' ? GONE : m[2]}`)
  }
  return found.sort()
}

const tableEdges = () => edges().map(([from, event, to]) => `${from} --${event}--> ${to}`).sort()

t.test("docs/writes.md's state diagram is the code's transition table", async t => {
  const doc = await fs.readFile(page, 'utf8')
  t.same(diagramEdges(doc), tableEdges(), 'edit the diagram in docs/writes.md to match src/vfs/write/upload-lifecycle.ts (or the other way round)')
})

t.test('a diagram that differs from the table is caught', async t => {
  const doc = await fs.readFile(page, 'utf8')
  const dropped = doc.replace(/^\s*ready --> uploading : started\n/m, '')
  t.not(dropped, doc, 'the edit applies')
  t.not(diagramEdges(dropped), tableEdges())
  const extra = doc.replace('stateDiagram-v2\n', 'stateDiagram-v2\n  failed --> uploading : started\n')
  t.not(diagramEdges(extra), tableEdges())
})

t.test('only the transitions of the table happen', async t => {
  t.equal(transition(NEW, 'opened'), 'open')
  t.equal(transition('uploading', 'uploaded'), GONE)
  t.throws(() => transition('failed', 'started'), /no transition from failed on started/, 'a failed upload never starts without a retry')
  t.throws(() => transition('open', 'started'), /no transition from open on started/, 'a file open for writing is never uploaded')
  t.throws(() => transition('waiting', 'uploaded'))
  const item = { state: 'ready' as const } as { state: 'ready' | 'uploading' | 'failed' | 'open' | 'waiting' }
  apply(item, 'started')
  t.equal(item.state, 'uploading')
  apply(item, 'uploaded')
  t.equal(item.state, 'uploading', 'an ended item keeps its last state: it left the queue')
  t.throws(() => apply({ state: 'open' }, 'due'))
  const events = TRANSITIONS.map(e => e.event)
  t.equal(new Set(events).size, events.length, 'one row per event')
})

t.test("the journal's lifecycle records have one writer: the upload queue's records (upload-records.ts)", async t => {
  const src = path.resolve(import.meta.dirname, '..', '..', '..', 'src')
  const writers: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.name.endsWith('.ts') && /\bjournal\.(put|update|finish)\(/.test(await fs.readFile(p, 'utf8'))) writers.push(path.relative(src, p))
    }
  }
  await walk(src)
  t.same(writers, ['vfs/write/upload-records.ts'])
})
