// Before a PUT, the folders above the file must exist: the bridge answers 409
// to a PUT into a missing folder. Walk up to the nearest folder that exists,
// then create the missing ones top-down; 'exists' (405) means someone else
// made it meanwhile, which is just as good, and so does 423 Locked once the
// folder is there (makeFolder).

import { setTimeout as sleep } from 'node:timers/promises'
import { RemoteError, type Remote } from '../../remote/remote.js'
import { parentOf } from './staging.js'

export async function ensureParentFolders(remote: Remote, filePath: string, wait: (ms: number) => Promise<void> = sleep): Promise<void> {
  const missing: string[] = []
  let folder = parentOf(filePath)
  while (folder !== '/') {
    try {
      const entry = await remote.stat(folder)
      if (!entry.isDir) throw new RemoteError('conflict', `${folder} is a file, so ${filePath} cannot be stored below it`)
      break
    } catch (err) {
      if (!(err instanceof RemoteError) || err.kind !== 'not-found') throw err
      missing.unshift(folder)
      folder = parentOf(folder)
    }
  }
  for (const path of missing) await makeFolder(remote, path, wait)
}

/** Tries of a MKCOL answered 423 Locked, waiting 50, 100, 200, 400 ms. */
const LOCKED_TRIES = 5

/** One folder. rclone serve (x/net/webdav) answers 423 Locked to a MKCOL
 *  while another request's MKCOL of the same name is under way: several
 *  uploads into one new folder, or rmdirs moving folders to the trash at
 *  once. The other one is making it: wait, and it is there. */
async function makeFolder(remote: Remote, path: string, wait: (ms: number) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await remote.mkdir(path)
      return
    } catch (err) {
      if (err instanceof RemoteError && err.kind === 'exists') return
      if (!(err instanceof RemoteError) || err.status !== 423 || attempt >= LOCKED_TRIES) throw err
    }
    await wait(50 * 2 ** (attempt - 1))
    const made = await remote.stat(path).then(e => e.isDir, () => false)
    if (made) return
  }
}
