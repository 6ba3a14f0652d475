// megamount's own folder (where package.json is), found by walking up from
// this file: the same code runs from src/ under tap and from dist/.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: { root: string; version: string } | null | undefined

export function packageInfo(): { root: string; version: string } | null {
  if (cached !== undefined) return cached
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'megamount' && pkg.version) return (cached = { root: dir, version: pkg.version })
    } catch {
      // not here: look one folder up
    }
    dir = path.dirname(dir)
  }
  return (cached = null)
}
