// 10,000 random operations on a few files through a real mount (open with
// r+/w+/a+, write at random offsets and lengths, truncate, read at random
// offsets and lengths, stat, close, reopen), each mirrored on a model file on
// the local disk; every read and stat is checked against the model, and once
// the upload queue is empty the server's files equal the models. Uploads run
// between the operations (short delay), so reopening files that are being or
// have been uploaded is part of the test. Seeded: MEGAMOUNT_TEST_SEED=<n>
// repeats a run; the seed is printed on failure. MEGAMOUNT_RANDOM_OPS sets
// the count.
//
// The tap process reads the mount itself here, strictly one call at a time,
// so at most one threadpool thread waits on the mount while the emulator in
// this process needs the others.
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startMountChild } from '../helpers/mount-child-process.js'
import { sha256File, startServer } from '../helpers/webdav-servers.js'

const OPS = Number(process.env.MEGAMOUNT_RANDOM_OPS ?? 10_000)
const SEED = Number(process.env.MEGAMOUNT_TEST_SEED ?? Date.now() % 2 ** 31)
const FILES = ['a.bin', 'b.bin', 'sub/c.bin']
const MAX_SIZE = 3 * 1024 * 1024

/** mulberry32: small, fast, good enough to pick operations. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

interface Open {
  mount: FileHandle
  model: FileHandle
  append: boolean
}

t.test(`${OPS} random operations through a real mount match a model`, async t => {
  t.comment(`seed ${SEED} (repeat with MEGAMOUNT_TEST_SEED=${SEED})`)
  const server = await startServer('emulator')
  const work = await mkdtemp(join(tmpdir(), 'megamount-random-'))
  const models = join(work, 'model')
  t.teardown(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  const child = await startMountChild(['--url', server.url, '--state-dir', join(work, 'state'), '--upload-delay-ms', '200'])
  t.teardown(() => child.stop())
  const mountPath = (f: string) => join(child.mountpoint, f)
  const modelPath = (f: string) => join(models, f)
  for (const dir of [models, join(models, 'sub')]) await import('node:fs/promises').then(m => m.mkdir(dir, { recursive: true }))
  await import('node:fs/promises').then(m => m.mkdir(mountPath('sub')))

  const random = prng(SEED)
  const int = (n: number) => Math.floor(random() * n)
  const opened = new Map<string, Open>()
  const log: string[] = []
  const counts: Record<string, number> = {}
  let failure: string | null = null

  const sizeOf = async (f: string) => (await stat(modelPath(f))).size
  const fail = (message: string) => {
    failure = `${message} (seed ${SEED}; last operations:\n  ${log.slice(-15).join('\n  ')})`
  }

  for (let i = 0; i < OPS && !failure; i++) {
    const f = FILES[int(FILES.length)]!
    let h = opened.get(f)
    const roll = random()
    let op: string
    if (!h) op = 'open'
    else if (roll < 0.35) op = 'write'
    else if (roll < 0.65) op = 'read'
    else if (roll < 0.75) op = 'truncate'
    else if (roll < 0.85) op = 'stat'
    else op = 'close'
    counts[op] = (counts[op] ?? 0) + 1
    try {
      if (op === 'open') {
        const exists = await stat(modelPath(f)).then(() => true, () => false)
        const flags = !exists ? 'w+' : (['r+', 'r+', 'w+', 'a+'] as const)[int(4)]!
        log.push(`${i} open ${f} ${flags}`)
        h = { mount: await open(mountPath(f), flags), model: await open(modelPath(f), flags), append: flags === 'a+' }
        opened.set(f, h)
      } else if (op === 'write') {
        const size = await sizeOf(f)
        const grow = size > MAX_SIZE ? 0 : 64 * 1024
        const position = int(size + grow + 1)
        const length = 1 + int(random() < 0.8 ? 8192 : 256 * 1024)
        const data = Buffer.alloc(length, int(256))
        for (let k = 0; k < length; k += 509) data[k] = int(256)
        log.push(`${i} write ${f} @${position} +${length}${h!.append ? ' (append)' : ''}`)
        const a = await h!.mount.write(data, 0, length, position)
        const b = await h!.model.write(data, 0, length, position)
        if (a.bytesWritten !== b.bytesWritten) fail(`op ${i}: wrote ${a.bytesWritten} bytes, the model ${b.bytesWritten}`)
      } else if (op === 'read') {
        const size = await sizeOf(f)
        const position = int(size + 100)
        const length = 1 + int(random() < 0.7 ? 16 * 1024 : 1024 * 1024)
        log.push(`${i} read ${f} @${position} +${length}`)
        const a = Buffer.alloc(length)
        const b = Buffer.alloc(length)
        const ra = await h!.mount.read(a, 0, length, position)
        const rb = await h!.model.read(b, 0, length, position)
        if (ra.bytesRead !== rb.bytesRead) fail(`op ${i}: read ${ra.bytesRead} bytes of ${f} at ${position}, the model ${rb.bytesRead}`)
        else if (!a.subarray(0, ra.bytesRead).equals(b.subarray(0, rb.bytesRead))) {
          const at = a.findIndex((x, k) => x !== b[k])
          fail(`op ${i}: ${f} differs from the model at byte ${position + at}`)
        }
      } else if (op === 'truncate') {
        const size = await sizeOf(f)
        const to = int(Math.min(size * 1.5 + 4096, MAX_SIZE))
        log.push(`${i} truncate ${f} to ${to}`)
        await h!.mount.truncate(to)
        await h!.model.truncate(to)
      } else if (op === 'stat') {
        log.push(`${i} stat ${f}`)
        const [a, b] = await Promise.all([stat(mountPath(f)), stat(modelPath(f))])
        if (a.size !== b.size) fail(`op ${i}: stat says ${f} has ${a.size} bytes, the model ${b.size}`)
      } else {
        log.push(`${i} close ${f}`)
        opened.delete(f)
        await h!.mount.close()
        await h!.model.close()
      }
    } catch (err) {
      fail(`op ${i} (${op} ${f}) threw ${(err as Error).stack}`)
    }
  }
  for (const h of opened.values()) {
    await h.mount.close()
    await h.model.close()
  }
  t.equal(failure, null, 'every read and stat matched the model')
  t.comment(`operations: ${JSON.stringify(counts)}`)

  const snapshot = await child.command<{ failed: unknown[]; totals: { count: number } }>('drain', 300_000)
  t.same(snapshot.failed, [], `no failed uploads (seed ${SEED})`)
  for (const f of FILES) {
    t.equal(await sha256File(join(server.folder, f)), await sha256File(modelPath(f)), `${f} on the server equals the model (seed ${SEED})`)
  }
})
