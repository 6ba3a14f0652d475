// '@NAME@' substitution for the unit templates in systemd/ and launchd/.
// Values arrive already escaped for the target format; this only checks that
// every placeholder is filled and every value is used, so a renamed
// placeholder fails loudly instead of installing a unit with '@X@' in it.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export function fillTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>()
  const out = template.replace(/@([A-Z][A-Z0-9_]*)@/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`template placeholder @${name}@ has no value`)
    used.add(name)
    return value
  })
  const unused = Object.keys(values).filter((name) => !used.has(name))
  if (unused.length > 0) throw new Error(`template has no placeholder for: ${unused.join(', ')}`)
  return out
}

/** The folder of the installed megamount package (holding package.json,
 *  systemd/, launchd/ and dist/), found upward from this module: the same
 *  code runs from src/ under tests and from dist/src/ when installed. */
export function packageRoot(fromDir: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = fromDir
  for (;;) {
    const manifest = path.join(dir, 'package.json')
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'megamount') return dir
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`cannot find the megamount package above ${fromDir}`)
    dir = parent
  }
}

export function readTemplate(root: string, relativePath: string): string {
  return fs.readFileSync(path.join(root, relativePath), 'utf8')
}
