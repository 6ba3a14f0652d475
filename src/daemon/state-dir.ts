// The state folder holds staged file contents, the upload journal and cached
// file content: as private as the files themselves. An existing folder open
// to others (made by hand, or by an older version under a loose umask) is
// made 0700 at start; one that belongs to someone else is refused, since its
// owner could read or change what we write there.
import fs from 'node:fs/promises'
import type { Logger } from '../log.js'

export class StateDirError extends Error {
  readonly hint: string
  constructor(message: string, hint: string) {
    super(message)
    this.name = 'StateDirError'
    this.hint = hint
  }
}

export async function makeStateDirPrivate(dir: string, logger: Logger): Promise<void> {
  const otherFolder = 'choose a folder of your own with --state-dir (or MEGAMOUNT_STATE_DIR)'
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new StateDirError(`state folder ${dir} is not a folder`, `move that file away, or ${otherFolder}`)
    throw new StateDirError(`state folder ${dir} cannot be created: ${(err as Error).message}`, otherFolder)
  }
  const stat = await fs.stat(dir)
  if (!stat.isDirectory()) throw new StateDirError(`state folder ${dir} is not a folder`, `move that file away, or ${otherFolder}`)
  const uid = process.getuid?.()
  if (uid !== undefined && stat.uid !== uid) {
    throw new StateDirError(
      `state folder ${dir} belongs to another user (uid ${stat.uid}), who could read staged files and the upload journal`,
      `${otherFolder}, or give it to yourself: chown -R ${uid} "${dir}" && chmod 700 "${dir}"`,
    )
  }
  const mode = stat.mode & 0o777
  // The umask applies to mkdir too: 0700 exactly, even if the umask removed owner bits.
  if (mode !== 0o700) {
    await fs.chmod(dir, 0o700)
    if (mode & 0o077) logger.warn({ stateDir: dir, was: mode.toString(8) }, 'state folder was open to other users: made it private (0700)')
  }
}
