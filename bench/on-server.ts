// "On the server": a write counts as done when the server's own folder holds
// every file with the source's size and sha256. Both servers keep their data
// in a local folder, so polling it sees exactly what a remote client would.
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { FileFact } from './dataset.js'
import { BenchFailure } from './verify.js'

const POLL_INTERVAL_MS = 20

export async function waitUntilOnServer(folder: string, expected: Map<string, FileFact>, timeoutMs: number): Promise<void> {
  const pending = new Map(expected)
  const lastChecked = new Map<string, number>()
  const mismatched = new Set<string>()
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const [name, fact] of pending) {
      const path = join(folder, name)
      const info = await stat(path).catch(() => null)
      if (!info || info.size !== fact.size) continue
      // Hash again only when the file changed since the last look.
      if (lastChecked.get(name) === info.mtimeMs) continue
      lastChecked.set(name, info.mtimeMs)
      const sha = createHash('sha256').update(await readFile(path)).digest('hex')
      if (sha === fact.sha256) {
        pending.delete(name)
        mismatched.delete(name)
      } else {
        mismatched.add(name)
      }
    }
    if (pending.size === 0) return
    if (Date.now() > deadline) {
      const sample = [...pending.keys()].slice(0, 3).join(', ')
      if (mismatched.size > 0) {
        throw new BenchFailure(`written data differs on the server: ${[...mismatched].slice(0, 3).join(', ')} in ${folder} has the right size but not the source's sha256`)
      }
      throw new Error(`${pending.size} of ${expected.size} written files were not on the server after ${timeoutMs / 1000} s (e.g. ${sample} in ${folder})`)
    }
    await delay(POLL_INTERVAL_MS)
  }
}
