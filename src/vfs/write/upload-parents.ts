// Before a PUT, the folders above the file must exist: the bridge answers 409
// to a PUT into a missing folder. Walk up to the nearest folder that exists,
// then create the missing ones top-down; 'exists' (405) means someone else
// made it meanwhile, which is just as good.

import { RemoteError, type Remote } from '../../remote/remote.js'
import { parentOf } from './staging.js'

export async function ensureParentFolders(remote: Remote, filePath: string): Promise<void> {
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
  for (const path of missing) {
    try {
      await remote.mkdir(path)
    } catch (err) {
      if (!(err instanceof RemoteError) || err.kind !== 'exists') throw err
    }
  }
}
