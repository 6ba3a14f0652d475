// Every read of file content from the remote goes through here, so that a
// read never returns, caches or stages bytes that are not the file's: the
// answer must carry exactly the bytes the listing says are there. Fewer
// bytes (a short body the remote could not tell from the end of the file,
// or a file that shrank on the server since it was listed) and bodies the
// remote refused (range-answer.ts) are asked for once more, then fail with
// RemoteError('bad-reply'), which readers see as EIO. A failed read is never
// cached, so the next read asks again, and it never changes a file's size:
// sizes come from listings only (docs/filesystem.md, "Reading").

import type { Logger } from '../../log.js'
import { RemoteError, type Remote } from '../../remote/remote.js'

const ATTEMPTS = 2

export interface ExactReadOptions {
  signal?: AbortSignal
  /** Passed to Remote.read (a reused window). */
  allocate?: (length: number) => Buffer
  logger?: Logger
}

/** Bytes [offset, offset + length) of a file whose listing says it has
 *  listedSize bytes: exactly min(length, listedSize - offset) of them. */
export async function readExactly(remote: Remote, path: string, offset: number, length: number, listedSize: number, options: ExactReadOptions = {}): Promise<Buffer> {
  const want = Math.max(0, Math.min(length, listedSize - offset))
  if (want === 0) return Buffer.alloc(0)
  for (let attempt = 1; ; attempt++) {
    let problem: RemoteError
    try {
      const data = await remote.read(path, offset, want, { signal: options.signal, allocate: options.allocate })
      if (data.length === want) return data
      problem = new RemoteError(
        'bad-reply',
        `read ${path} [${offset}, ${offset + want}): the server sent ${data.length} bytes where the listing says the file has ${want} from there; either the file changed on the server ("mountctl refresh" shows its new size at once) or the server cuts its answers short`,
      )
    } catch (err) {
      if (options.signal?.aborted || !(err instanceof RemoteError) || err.kind !== 'bad-reply') throw err
      problem = err
    }
    if (attempt >= ATTEMPTS) throw problem
    options.logger?.warn({ path, offset, length: want, err: problem.message }, 'wrong bytes from the server, none used; asking once more')
  }
}
