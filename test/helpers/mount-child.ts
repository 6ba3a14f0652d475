// A child process that mounts a MegaFs, for real-mount tests (the tap process
// must not serve a mount it also reads: libuv's threadpool would deadlock).
//   node --import=<ts loader> test/helpers/mount-child.ts --mountpoint DIR
//        [--url URL | --big-mib N] [--deep-file-bytes N] [--read-only]
//        [--backend libfuse3|fuse-native (default: env MEGAMOUNT_FUSE_BACKEND, else auto)]
//        [--cache-ttl-ms N] [--kernel-ttl-s N (default: the cache TTL)] [--op-timeout-ms N]
//        [--state-dir DIR [--upload-delay-ms N] [--delete-mode trash|permanent] [--disk-cache-mib N]
//         [--store] [--offline FOLDER,...]] [--bridge-down] [--manual-time]
// Without --url it serves the fs-cases fixture from a FakeRemote (plus
// /big64.bin of N MiB, and with --deep-file-bytes a file whose path is N
// bytes long, see deepFilePath). With --state-dir the mount is writable through the
// staged write policy, as the daemon makes it; with --store it keeps its
// persistent store there too. --bridge-down starts with the bridge
// believed down, as the daemon starts a mount from its stored tree.
// --manual-time runs the core on a ManualTime (from now) that moves only on
// the advance command, so a test waits for no TTL in real time. Prints "READY" once mounted,
// "STATS <json>" with the fake remote's call counts on SIGUSR2, and unmounts
// and exits on SIGTERM. STATS carries the kernel-side counters of the
// libfuse 3 backend (lookups, reads, ...) as "kernel".
//
// Commands, one per line on stdin, each answered "REPLY <json>" on stdout:
//   drain     upload everything closed now and wait; answers the snapshot
//   snapshot  the upload queue's snapshot
//   retry     retry failed uploads; answers how many
//   down, up  what the daemon's health check would say about the bridge
//   refresh [PATH]  what `mountctl refresh` does
//   hang METHOD, unhang METHOD   the fake remote's calls of METHOD never end
//   advance MS  move the --manual-time clock on (its due timers fire); answers its time

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createLogger } from '../../src/log.js'
import { parseBackendChoice } from '../../src/fuse/backends.js'
import { mountFuse } from '../../src/fuse/mount.js'
import { WebDavRemote } from '../../src/remote/webdav-remote.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { MountStore } from '../../src/vfs/store/mount-store.js'
import { stagedWrites, type StagedWrites } from '../../src/vfs/write/write-staged.js'
import { FakeRemote, patternBuffer, testOptions } from './fake-remote.js'
import { addFixture, deepFilePath } from './fs-cases.js'
import { ManualTime } from './manual-time.js'

const { values } = parseArgs({
  options: {
    mountpoint: { type: 'string' },
    url: { type: 'string' },
    'big-mib': { type: 'string' },
    'deep-file-bytes': { type: 'string' },
    'read-only': { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    'upload-delay-ms': { type: 'string' },
    'disk-cache-mib': { type: 'string' },
    'delete-mode': { type: 'string' },
    store: { type: 'boolean', default: false },
    offline: { type: 'string' },
    'bridge-down': { type: 'boolean', default: false },
    'manual-time': { type: 'boolean', default: false },
    backend: { type: 'string' },
    'cache-ttl-ms': { type: 'string' },
    'kernel-ttl-s': { type: 'string' },
    'kernel-file-entries': { type: 'string' },
    'op-timeout-ms': { type: 'string' },
  },
})
if (!values.mountpoint) {
  process.stderr.write('usage: mount-child.ts --mountpoint DIR [--url URL | --big-mib N] [--read-only] [--state-dir DIR [--upload-delay-ms N] [--delete-mode trash|permanent] [--disk-cache-mib N]]\n')
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
  const deepBytes = Number(values['deep-file-bytes'] ?? 0)
  if (deepBytes > 0) fake.addFile(deepFilePath(deepBytes), 'deep file\n')
  remote = fake
}
const readOnly = values['read-only']
const deleteMode = values['delete-mode'] === 'permanent' ? 'permanent' : 'trash'
const options = testOptions({
  readOnly,
  deleteMode,
  uploadDelayMs: Number(values['upload-delay-ms'] ?? 2000),
  diskCacheMaxBytes: Number(values['disk-cache-mib'] ?? 0) * 1024 * 1024,
  ...(values['cache-ttl-ms'] ? { cacheTtlMs: Number(values['cache-ttl-ms']) } : {}),
  offline: values.offline?.split(',') ?? [],
})
let writes: StagedWrites | null = null
const time = values['manual-time'] ? new ManualTime(Date.now()) : undefined
const store = values.store && values['state-dir'] ? MountStore.open(values['state-dir'], values.url ?? 'fake', logger) : undefined
const fs = new MegaFs({
  store,
  remote,
  options,
  logger,
  stateDir: values['state-dir'] ?? '/nonexistent',
  time,
  writes: values['state-dir'] ? stagedWrites({ trashPurgeCron: null, onCreated: w => (writes = w) }) : undefined,
})
if (values['bridge-down']) fs.setBridgeAvailable(false)
const backend = parseBackendChoice(values.backend ?? process.env.MEGAMOUNT_FUSE_BACKEND ?? 'auto')
if (!backend) throw new Error(`--backend must be auto, libfuse3 or fuse-native (got ${values.backend})`)
let lost = false
const kernelTtlS = values['kernel-ttl-s'] ? Number(values['kernel-ttl-s']) : options.cacheTtlMs / 1000
const mount = await mountFuse(values.mountpoint, fs, { logger, readOnly, fsName: 'megamount:test', opTimeoutMs: Number(values['op-timeout-ms'] ?? 20_000), backend, kernelTtlS, negativeTtlS: options.negativeCacheTtlMs / 1000, kernelFileEntries: values['kernel-file-entries'] ? Number(values['kernel-file-entries']) : undefined, onLost: () => (lost = true) })
process.stdout.write('READY\n')

async function command(line: string): Promise<unknown> {
  const queue = writes ? await writes.uploads() : null
  const [verb, ...rest] = line.trim().split(' ')
  if (verb === 'refresh') {
    fs.invalidate(rest.length ? rest.join(' ') : undefined)
    return true
  }
  if (verb === 'advance') {
    if (!time) throw new Error('advance needs --manual-time')
    await time.advance(Number(rest[0]))
    return time.now()
  }
  if (verb === 'hang' || verb === 'unhang') {
    fake!.hang(rest[0] as never, verb === 'hang')
    return true
  }
  switch (line.trim()) {
    case 'drain':
      return (await queue!.drain()).snapshot
    case 'snapshot':
      return queue!.snapshot()
    case 'retry':
      return queue!.retry()
    case 'down':
      fs.setBridgeAvailable(false)
      return true
    case 'up':
      fs.setBridgeAvailable(true)
      return true
    default:
      throw new Error(`unknown command ${JSON.stringify(line)}`)
  }
}

createInterface({ input: process.stdin }).on('line', line => {
  command(line).then(
    result => process.stdout.write(`REPLY ${JSON.stringify(result ?? null)}\n`),
    err => process.stdout.write(`REPLY ${JSON.stringify({ error: String(err) })}\n`),
  )
})

process.on('SIGUSR2', () => {
  process.stdout.write(`STATS ${JSON.stringify({ calls: fake?.calls ?? null, reads: fake?.reads ?? null, vfs: fs.stats(), backend: mount.backend, kernel: mount.kernelStats(), lost })}\n`)
})
process.on('SIGTERM', () => {
  mount
    .unmount()
    .then(() => fs.close())
    .then(() => store?.close())
    .then(
      () => process.exit(0),
      err => {
        process.stderr.write(`unmount failed: ${String(err)}\n`)
        process.exit(1)
      },
    )
})
