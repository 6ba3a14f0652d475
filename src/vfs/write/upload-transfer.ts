// One upload of a staged file: the PUT to its final name (folders above it
// made first), its progress, and stopping it. UploadQueue (upload-queue.ts)
// decides when one starts and what follows its end (upload-outcome.ts).
import { waitAtMost, type Time } from '../../clock.js'
import type { Remote } from '../../remote/remote.js'
import type { AbortReason, Item } from './upload-items.js'
import { ensureParentFolders } from './upload-parents.js'

/** Sends item's file to path, with item.upload set while it runs; then
 *  onEnd gets the error it failed with (null: the server has it) and the
 *  reason it was stopped, if it was (stopUpload). */
export function sendFile(remote: Remote, item: Item, path: string, onEnd: (error: unknown, reason: AbortReason | null) => Promise<void>): void {
  const file = item.file
  const abort = new AbortController()
  const run = async () => {
    let error: unknown = null
    try {
      await ensureParentFolders(remote, path)
      abort.signal.throwIfAborted()
      await remote.put(path, file.dataFile, {
        signal: abort.signal,
        onProgress: sent => {
          if (item.upload) item.upload.sentBytes = sent
        },
      })
    } catch (err) {
      error = err
    }
    const reason = item.upload?.reason ?? null
    item.upload = null
    await onEnd(error, reason)
  }
  item.upload = { abort, reason: null, bytes: file.size, sentBytes: 0, done: Promise.resolve() }
  item.upload.done = run()
}

/** Stops item's upload, if one runs, and waits until it ended. */
export async function stopUpload(item: Item, reason: AbortReason, answerGraceMs: number, time: Time): Promise<void> {
  const upload = item.upload
  if (!upload) return
  // Its whole body is sent: the server may be storing it right now, and
  // stopping it would leave unknown whether it lands (the emulator, like a
  // bridge that answers after storing, puts it in place anyway, after the
  // rename or delete that stopped it looked). A small file's answer is a
  // moment away: it is awaited for a while first.
  if (reason !== 'close' && upload.sentBytes >= upload.bytes) {
    let answered = false
    await waitAtMost(upload.done.then(() => (answered = true)), answerGraceMs, time)
    if (answered) return
  }
  upload.reason = reason
  upload.abort.abort(new Error(`upload stopped: ${reason}`))
  await upload.done
}
