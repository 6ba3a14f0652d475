import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// Puts executable `mega-webdav`, `mega-whoami`, `mega-df` and `mega-logout`
// into a folder, each a two-line shell script running the compiled stand-in
// with this Node. Point the daemon's megacmdPath (or PATH) at the folder and
// set MEGA_EMULATOR_STATE to the emulator's state file.

export const STAND_IN_COMMANDS = ['mega-webdav', 'mega-whoami', 'mega-df', 'mega-logout'] as const

/** Absolute path of a stand-in's compiled script (run `npm run build` first). */
export function compiledCommandPath(command: (typeof STAND_IN_COMMANDS)[number]): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const sibling = path.join(here, `${command}.js`)
  if (fs.existsSync(sibling)) return sibling
  // Loaded from the TypeScript sources (tests): use the build output.
  let dir = here
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return path.join(dir, 'dist', 'src', 'emulator', 'megacmd', `${command}.js`)
}

/** Writes the commands into `dir` (created if needed); returns their paths. */
export function writeStandInCommands(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true })
  return STAND_IN_COMMANDS.map(command => {
    const script = compiledCommandPath(command)
    if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm run build first`)
    const file = path.join(dir, command)
    fs.writeFileSync(file, `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(script)} "$@"\n`, { mode: 0o755 })
    fs.chmodSync(file, 0o755)
    return file
  })
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}
