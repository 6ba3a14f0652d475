// The adapter's table of open files. The kernel's RELEASE is answered at
// once and the release itself (data to disk, the upload queued) goes on
// behind; the end of the kernel connection must still wait for it, or the
// core is closed under a file that is being released.
import t from 'tap'
import { OpenFiles } from '../../../src/fuse/libfuse3/open-files.js'
import type { FileHandle } from '../../../src/vfs/types.js'

function slowHandle(): { handle: FileHandle; finish: () => void; released: () => boolean } {
  let finish!: () => void
  let released = false
  const done = new Promise<void>(resolve => (finish = resolve))
  const handle = {
    release: async () => {
      await done
      released = true
    },
  } as unknown as FileHandle
  return { handle, finish, released: () => released }
}

t.test('releaseAll waits for releases that are still under way', async t => {
  const files = new OpenFiles()
  const a = slowHandle()
  const b = slowHandle()
  const fhA = files.add(a.handle)
  files.add(b.handle)
  const releasing = files.release(fhA)
  t.equal(files.size, 1, 'the released handle is no longer open')
  let allDone = false
  const all = files.releaseAll().then(() => (allDone = true))
  b.finish()
  await new Promise(resolve => setTimeout(resolve, 20))
  t.equal(allDone, false, 'not ended while a release is under way')
  a.finish()
  await all
  await releasing
  t.ok(a.released() && b.released(), 'both released')
  t.equal(files.size, 0)
})

t.test('a finished release is not waited for again; an unknown handle is EBADF', async t => {
  const files = new OpenFiles()
  const a = slowHandle()
  const fh = files.add(a.handle)
  a.finish()
  await files.release(fh)
  await files.releaseAll()
  t.throws(() => files.release(fh), { code: 'EBADF' })
})
