// Adding and removing profiles in mounts.json from mountctl. The file stays
// the person's own: other profiles, settings and field order are kept, and
// it is written as 2-space JSON. The result is validated with the loader
// before anything is written, and written atomically (temporary file,
// fsync, rename), so a crash or a daemon reading it at the same moment sees
// either the old file or the new one, never half of one. Every edit reads,
// changes and writes under a lock beside the file (`mounts.json.lock`, a
// folder: proper-lockfile), so two mountctl at the same moment both land; a
// lock left by a killed mountctl goes stale after LOCK_STALE_MS.
import fs from 'node:fs/promises'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { ConfigError } from './config-error.js'
import { parseConfigText, type LoadOptions } from './load.js'
import { parseJsonWithPosition } from './parse-json.js'

/** A profile as written in the file (before defaults and '~' expansion). */
export type ProfileEntry = Record<string, unknown> & { name: string }

export interface EditResult {
  file: string
  /** The file did not exist and was created. */
  created: boolean
}

interface FileDoc {
  text: string | null
  doc: Record<string, unknown> & { mounts?: unknown }
}

async function readDoc(file: string): Promise<FileDoc> {
  let text: string
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: null, doc: {} }
    throw new ConfigError({ file }, `cannot be read: ${(err as Error).message}`, 'check the path and its permissions')
  }
  const parsed = parseJsonWithPosition(text)
  if ('error' in parsed) {
    const { line, column, reason } = parsed.error
    throw new ConfigError({ file }, `is not valid JSON at line ${line}, column ${column}: ${reason}`, 'fix the file first (nothing was changed)')
  }
  const v = parsed.value
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new ConfigError({ file }, 'must be a JSON object: { "settings": { ... }, "mounts": [ ... ] }', 'fix the file first (nothing was changed)')
  }
  const doc = v as FileDoc['doc']
  if (doc.mounts !== undefined && !Array.isArray(doc.mounts)) {
    throw new ConfigError({ file, field: 'mounts' }, 'must be a list of profiles', 'fix the file first (nothing was changed)')
  }
  return { text, doc }
}

const nameOf = (entry: unknown): unknown => (entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined)

/** Adds `entry` at the end of "mounts". Refused (ConfigError, nothing
 *  written) when the name is taken or the new profile would be rejected. */
export async function addProfile(file: string, entry: ProfileEntry, options: LoadOptions = {}): Promise<EditResult> {
  return edit(file, async ({ doc }) => {
    const mounts = (doc.mounts as unknown[] | undefined) ?? []
    if (mounts.some(m => nameOf(m) === entry.name)) {
      throw new ConfigError({ file, profile: `profile "${entry.name}"` }, 'already exists', `pick another name, or remove it first: mountctl remove ${entry.name}`)
    }
    const next = { ...doc, mounts: [...mounts, entry] }
    const text = serialize(next)
    const loaded = await parseConfigText(file, text, options)
    const rejected = loaded.rejected.find(r => r.index === mounts.length)
    if (rejected) throw new ConfigError({ file }, `${rejected.error.message.replace(`${file}: `, '')} (nothing was changed)`, rejected.error.hint)
    return text
  })
}

/** Removes the profile named `name`. Refused when there is none. */
export async function removeProfile(file: string, name: string): Promise<EditResult> {
  return edit(file, async ({ text: before, doc }) => {
    const mounts = (doc.mounts as unknown[] | undefined) ?? []
    if (before === null || !mounts.some(m => nameOf(m) === name)) {
      const known = mounts.map(nameOf).filter(n => typeof n === 'string')
      throw new ConfigError({ file }, `has no profile named "${name}"`, known.length ? `known: ${known.join(', ')}` : 'the file has no profiles')
    }
    return serialize({ ...doc, mounts: mounts.filter(m => nameOf(m) !== name) })
  })
}

export function serialize(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}

/** A lock older than this (its holder stopped refreshing it) is taken over. */
export const LOCK_STALE_MS = 10_000

/** Runs `body` holding the profile file's lock; waits for another holder up
 *  to about LOCK_STALE_MS, which covers a holder that was killed. */
export async function withProfileFileLock<T>(file: string, body: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(file), { recursive: true })
  let compromised: Error | null = null
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(file, {
      realpath: false, // the file may not exist yet
      stale: LOCK_STALE_MS,
      retries: { retries: 60, factor: 1.2, minTimeout: 20, maxTimeout: 500 },
      onCompromised: err => {
        compromised = err
      },
    })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err
    throw new ConfigError({ file }, 'is being edited by another mountctl (nothing was changed)', `try again; if no mountctl is running, remove the folder ${file}.lock`)
  }
  try {
    const result = await body()
    if (compromised) throw compromised
    return result
  } finally {
    await release().catch(() => {})
  }
}

/** Under the lock: reads, computes the new text, and writes it unless the
 *  file changed in the meantime (an editor, which takes no lock: then starts
 *  over, a few times). */
function edit(file: string, change: (d: FileDoc) => Promise<string>): Promise<EditResult> {
  return withProfileFileLock(file, () => editLocked(file, change))
}

async function editLocked(file: string, change: (d: FileDoc) => Promise<string>): Promise<EditResult> {
  for (let attempt = 0; ; attempt++) {
    const current = await readDoc(file)
    const text = await change(current)
    const now = await fs.readFile(file, 'utf8').catch(() => null)
    if (now !== current.text) {
      if (attempt < 3) continue
      throw new ConfigError({ file }, 'keeps changing while being edited', 'try again when no one else edits it')
    }
    await writeAtomically(file, text)
    return { file, created: current.text === null }
  }
}

export async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file)
  await fs.mkdir(dir, { recursive: true })
  const mode = await fs.stat(file).then(s => s.mode & 0o777, () => 0o600)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`)
  const handle = await fs.open(tmp, 'w', mode)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, file)
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw err
  }
  // The rename itself is durable once the folder is synced; not every
  // platform allows opening a folder for that, which is fine.
  const d = await fs.open(dir, 'r').catch(() => null)
  await d?.sync().catch(() => {})
  await d?.close()
}
