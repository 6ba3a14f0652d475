// Waiting in real time for something another process or the thread pool
// does (a daemon's state, bytes reaching the disk).

/** Polls until check() holds; throws after timeoutMs. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise(r => setTimeout(r, everyMs)) // real-world wait: the poll interval for another process / the disk
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
