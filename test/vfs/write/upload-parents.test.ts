// Folders above a file made before its upload. Several uploads (or the trash
// of several rmdirs) may make the same folder at once; rclone serve answers
// the loser's MKCOL 423 Locked while the winner's holds the name.
import t from 'tap'
import { RemoteError, type Remote } from '../../../src/remote/remote.js'
import { ensureParentFolders } from '../../../src/vfs/write/upload-parents.js'

const noWait = async (): Promise<void> => {}

function remoteWith(mkdirAnswer: (path: string, folders: Set<string>) => void): { remote: Remote; folders: Set<string>; mkdirs: string[] } {
  const folders = new Set<string>()
  const mkdirs: string[] = []
  const remote = {
    stat: async (path: string) => {
      if (!folders.has(path)) throw new RemoteError('not-found', `${path}: not found`, { status: 404 })
      return { name: path.split('/').pop()!, isDir: true, size: 0, mtimeMs: 0, etag: null }
    },
    mkdir: async (path: string) => {
      mkdirs.push(path)
      mkdirAnswer(path, folders)
    },
  } as unknown as Remote
  return { remote, folders, mkdirs }
}

t.test('a folder another request is making (423 Locked) is waited for, not a failure', async t => {
  let first = true
  const { remote, folders } = remoteWith((path, made) => {
    if (first) {
      first = false
      // The other request's MKCOL holds the name, and has made the folder
      // by the time this one looks again.
      made.add(path)
      throw new RemoteError('other', `MKCOL ${path}: the server answered 423`, { status: 423 })
    }
    made.add(path)
  })
  await ensureParentFolders(remote, '/.megamount-trash/run/d', noWait)
  t.ok(folders.has('/.megamount-trash') && folders.has('/.megamount-trash/run'))
})

t.test('a folder that stays locked fails in the end with the server\'s answer', async t => {
  const { remote, mkdirs } = remoteWith(path => {
    throw new RemoteError('other', `MKCOL ${path}: the server answered 423`, { status: 423 })
  })
  t.equal((await ensureParentFolders(remote, '/a/b.txt', noWait).then(() => null, (e: RemoteError) => e))?.status, 423, 'the server\'s 423 in the end')
  t.ok(mkdirs.length > 1 && mkdirs.length <= 6, `tried again a few times (${mkdirs.length})`)
})

t.test('other failures are not tried again', async t => {
  const { remote, mkdirs } = remoteWith(path => {
    throw new RemoteError('forbidden', `MKCOL ${path}: the server answered 403`, { status: 403 })
  })
  t.equal((await ensureParentFolders(remote, '/a/b.txt', noWait).then(() => null, (e: RemoteError) => e))?.status, 403)
  t.equal(mkdirs.length, 1)
})
