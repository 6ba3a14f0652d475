// A writable mount (a mount child with a state folder) on one of the two
// WebDAV servers, with a local folder beside it for what a local disk does,
// all removed when the test ends: the set-up of the tests that run a
// workload both in the mount and on a local disk and compare.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { startMountChild, type MountChild } from './mount-child-process.js'
import { startServer, type ServerKind, type TestServer } from './webdav-servers.js'

export async function writableMountOn(t: Test, kind: ServerKind, uploadDelayMs: number): Promise<{ server: TestServer; child: MountChild; local: string }> {
  const server = await startServer(kind)
  const local = await mkdtemp(join(tmpdir(), 'megamount-local-'))
  const state = await mkdtemp(join(tmpdir(), 'megamount-state-'))
  t.teardown(async () => {
    await server.stop()
    await rm(local, { recursive: true, force: true })
    await rm(state, { recursive: true, force: true })
  })
  const child = await startMountChild(['--url', server.url, '--state-dir', state, '--upload-delay-ms', String(uploadDelayMs)])
  t.teardown(() => child.stop())
  return { server, child, local }
}
