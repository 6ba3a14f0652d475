// A child process that mounts a MegaFs, for real-mount tests (the tap process
// must not serve a mount it also reads: libuv's threadpool would deadlock).
//   node --import=<ts loader> test/helpers/mount-child.ts --mountpoint DIR
//        [--url URL | --big-mib N] [--read-only]
// Without --url it serves the fs-cases fixture from a FakeRemote (plus
// /big64.bin of N MiB). Prints "READY" once mounted, "STATS <json>" with the
// fake remote's call counts on SIGUSR2, and unmounts and exits on SIGTERM.

import { parseArgs } from 'node:util'
import { createLogger } from '../../src/log.js'
import { mountFuse } from '../../src/fuse/mount.js'
import { WebDavRemote } from '../../src/remote/webdav-remote.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { FakeRemote, patternBuffer, testProfile } from './fake-remote.js'
import { addFixture } from './fs-cases.js'

const { values } = parseArgs({
  options: {
    mountpoint: { type: 'string' },
    url: { type: 'string' },
    'big-mib': { type: 'string' },
    'read-only': { type: 'boolean', default: false },
  },
})
if (!values.mountpoint) {
  process.stderr.write('usage: mount-child.ts --mountpoint DIR [--url URL | --big-mib N] [--read-only]\n')
  process.exit(2)
}

const logger = createLogger(process.env.MOUNT_CHILD_LOG ?? 'warn', process.stderr as never)
let fake: FakeRemote | null = null
let remote
if (values.url) {
  remote = new WebDavRemote({ url: values.url, logger })
} else {
  fake = new FakeRemote()
  addFixture(fake)
  const bigMiB = Number(values['big-mib'] ?? 0)
  if (bigMiB > 0) fake.addFile('/big64.bin', patternBuffer(bigMiB * 1024 * 1024, 64))
  remote = fake
}
const readOnly = values['read-only']
const fs = new MegaFs({ remote, profile: testProfile({ readOnly }), logger, stateDir: '/nonexistent' })
const mount = await mountFuse(values.mountpoint, fs, { logger, readOnly, fsName: 'megamount:test', opTimeoutMs: 20_000 })
process.stdout.write('READY\n')

process.on('SIGUSR2', () => {
  process.stdout.write(`STATS ${JSON.stringify({ calls: fake?.calls ?? null, reads: fake?.reads ?? null, vfs: fs.stats() })}\n`)
})
process.on('SIGTERM', () => {
  mount
    .unmount()
    .then(() => fs.close())
    .then(
      () => process.exit(0),
      err => {
        process.stderr.write(`unmount failed: ${String(err)}\n`)
        process.exit(1)
      },
    )
})
