// The background fill of a file read at random (file-fill.ts): every byte on
// disk, downloaded into the daemon's reused windows and written through the
// page cache, where the jumping reader finds the bytes next.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { Semaphore } from '../../../src/remote/semaphore.js'
import { BridgeGate } from '../../../src/vfs/bridge-gate.js'
import { DiskCache } from '../../../src/vfs/cache/disk-cache.js'
import { WindowPool } from '../../../src/vfs/cache/window-pool.js'
import { FILL_PIECE_BYTES, FileFiller } from '../../../src/vfs/read/file-fill.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { FakeRemote, patternBuffer } from '../../helpers/fake-remote.js'
import { waitUntil } from '../../helpers/wait-until.js'

const MiB = 1024 * 1024

t.test('a fill: every byte on disk, in reused windows, through the page cache', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'megamount-fill-'))
  const store = MountStore.open(dir, 'test-source', silentLogger)
  const disk = new DiskCache({ folder: store.cacheFolder, maxBytes: 256 * MiB, logger: silentLogger, index: store.content })
  await disk.ready
  t.teardown(async () => {
    await disk.close()
    store.close()
    await rm(dir, { recursive: true, force: true })
  })
  const remote = new FakeRemote()
  const content = patternBuffer(40 * MiB, 8)
  remote.addFile('/big.bin', content)
  const windows = new WindowPool(16 * MiB)
  const filler = new FileFiller({ remote, gate: new BridgeGate(), slots: new Semaphore(4), disk, logger: silentLogger, windows })
  const stop = filler.start('big-v1', '/big.bin', content.length, 13 * MiB)
  await waitUntil('the fill', () => disk.cachedEnd('big-v1', 0) >= content.length && disk.pendingBytes === 0, 20_000, 5)
  stop()
  const back = Buffer.alloc(content.length)
  t.equal(await disk.read('big-v1', back, 0, 0, content.length), content.length)
  t.ok(back.equals(content), 'every byte right')
  t.equal(filler.filledBytes, content.length)
  // 10 pieces of 4 MiB, at most 3 at once: the rest reuse the first ones.
  t.equal(remote.reads.length, content.length / FILL_PIECE_BYTES)
  t.ok(windows.allocated <= 3, `${windows.allocated} windows allocated`)
  t.ok(windows.reused >= 7, `${windows.reused} windows reused`)
  t.equal(disk.directWriteBytes, 0, 'nothing written past the page cache')
})
