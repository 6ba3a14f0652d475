// Checks of everything the bench reads and writes. A mismatch is a
// BenchFailure, which stops the whole bench loudly: a fast wrong answer
// must never become a number in the table.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FileFact } from './dataset.js'

export class BenchFailure extends Error {
  override name = 'BenchFailure'
}

/** `ls -l` / `ls -lR` output (LC_ALL=C) -> relative path -> size, for regular files. */
export function parseLsSizes(output: string, mountpoint: string, firstFolder: string): Map<string, number> {
  const sizes = new Map<string, number>()
  let folder = firstFolder
  for (const line of output.split('\n')) {
    if (line.endsWith(':') && line.startsWith(mountpoint)) {
      folder = line.slice(mountpoint.length + 1, -1)
      continue
    }
    if (!line.startsWith('-')) continue
    const fields = line.split(/\s+/)
    const name = fields.slice(8).join(' ')
    sizes.set(folder === '' ? name : `${folder}/${name}`, Number(fields[4]))
  }
  return sizes
}

export function checkSizes(what: string, seen: Map<string, number>, expected: string[], facts: Map<string, FileFact>): void {
  if (seen.size !== expected.length) {
    throw new BenchFailure(`${what}: listed ${seen.size} files, the data set has ${expected.length}`)
  }
  for (const path of expected) {
    const size = seen.get(path)
    const want = facts.get(path)?.size
    if (size !== want) throw new BenchFailure(`${what}: ${path} listed with size ${size}, the source has ${want}`)
  }
}

export function checkFileList(what: string, seen: string[], expected: string[]): void {
  const sorted = [...seen].sort()
  if (sorted.length !== expected.length) {
    throw new BenchFailure(`${what}: found ${sorted.length} files, the data set has ${expected.length}`)
  }
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] !== expected[i]) throw new BenchFailure(`${what}: found '${sorted[i]}' where the data set has '${expected[i]}'`)
  }
}

export function checkHash(what: string, got: string | undefined, want: string): void {
  if (got !== want) throw new BenchFailure(`${what}: sha256 ${got} differs from the source's ${want}`)
}

/** sha256 of the files' bytes one after the other, as `cat a b c` prints them. */
export function concatenatedSha256(root: string, paths: string[]): string {
  const hash = createHash('sha256')
  for (const path of paths) hash.update(readFileSync(join(root, path)))
  return hash.digest('hex')
}
