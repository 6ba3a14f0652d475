// The package version, found by walking up from this file to megamount's
// package.json (the same code runs from src/ under tap and from dist/).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | null = null

export function packageVersion(): string {
  if (cached) return cached
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'megamount' && pkg.version) return (cached = pkg.version)
    } catch {
      // not here: look one folder up
    }
    dir = path.dirname(dir)
  }
  return (cached = 'unknown')
}
