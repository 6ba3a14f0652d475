import fs from 'node:fs'
import path from 'node:path'
import { megaPathToLocal } from './mega-path.js'
import { nodeHandle } from './node-handle.js'
import type { ServedNode } from './request-target.js'

// The JSON file through which the stand-in MEGAcmd commands (mega-webdav,
// mega-whoami, mega-df, mega-logout) talk to a running emulator. The
// emulator writes it on every change of its own; the commands edit it
// (served paths, login) and the emulator picks their edits up on its next
// request. Both sides write it atomically (temporary file, then rename).

/** Environment variable naming the state file for the stand-in commands. */
export const STATE_FILE_ENV = 'MEGA_EMULATOR_STATE'

export interface ServedEntry {
  megaPath: string
  handle: string
}

export interface EmulatorState {
  version: 1
  /** The emulator process is up (the "MEGAcmd server" is running). */
  running: boolean
  /** Its WebDAV port accepts connections (false while refusing or 'down'). */
  listening: boolean
  host: string
  port: number
  /** Absolute path of the local folder standing for the Cloud Drive. */
  accountRoot: string
  loggedIn: boolean
  email: string
  /** The account's storage quota, shown by mega-df. */
  storageTotalBytes: number
  served: ServedEntry[]
}

export function readState(file: string): EmulatorState | null {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return null
  }
  try {
    const value = JSON.parse(text) as EmulatorState
    return value && value.version === 1 ? value : null
  } catch {
    return null
  }
}

let writeCounter = 0

export function writeState(file: string, state: EmulatorState): fs.Stats {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${writeCounter++}.tmp`)
  fs.writeFileSync(temporary, JSON.stringify(state, null, 2) + '\n')
  fs.renameSync(temporary, file)
  return fs.statSync(file)
}

/** Identity of one written version of the file: a rename gives a new inode. */
export function stateVersion(stats: fs.Stats): string {
  return `${stats.ino}:${stats.mtimeMs}:${stats.size}`
}

/** The served folders a state file names, by handle; a path that is no
 *  longer in the account is left out, a folder keeps its handle. */
export function servedNodesOf(accountRoot: string, state: EmulatorState): Map<string, ServedNode> {
  const served = new Map<string, ServedNode>()
  for (const entry of state.served ?? []) {
    let localPath: string
    try {
      localPath = megaPathToLocal(accountRoot, entry.megaPath)
    } catch {
      continue
    }
    const existing = fs.statSync(localPath, { throwIfNoEntry: false })
    const handle = existing ? nodeHandle(existing.dev, existing.ino) : entry.handle
    served.set(handle, { handle, localPath })
  }
  return served
}
