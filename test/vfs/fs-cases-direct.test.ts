// The shared functional cases (test/helpers/fs-cases.ts) against MegaFs
// directly, no kernel: a writable mount as the daemon builds it (the staged
// write policy) over a writable fake server, time on the manual clock; and a
// read-only profile. The same cases run through real mounts in
// test/fuse/mount-emulator.test.ts and test/fuse/mount-rclone.test.ts.
import t from 'tap'
import { silentLogger } from '../../src/log.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { stagedWrites, type StagedWrites } from '../../src/vfs/write/write-staged.js'
import { FakeRemote, testOptions } from '../helpers/fake-remote.js'
import { addFixture, runFsCases } from '../helpers/fs-cases.js'
import { megaFsDriver } from '../helpers/fs-drivers.js'
import { ManualTime } from '../helpers/manual-time.js'
import { WritableFakeRemote } from './write/write-fakes.js'

t.test('MegaFs directly, writable, staged writes over a fake server', async t => {
  const remote = new WritableFakeRemote()
  addFixture(remote)
  const time = new ManualTime()
  const options = testOptions()
  let writes: StagedWrites | null = null
  const fs = new MegaFs({
    remote,
    options,
    logger: silentLogger,
    time,
    stateDir: t.testdir(),
    writes: stagedWrites({ trashPurgeCron: null, onCreated: w => (writes = w) }),
  })
  t.teardown(() => fs.close())
  await writes!.ready
  const driver = megaFsDriver(fs, {
    queue: await writes!.uploads(),
    advance: ms => time.advance(ms),
    uploadDelayMs: options.uploadDelayMs,
    serverNodes: () => [...remote.nodes].map(([path, node]) => [path, node.isDir ? null : node.content]),
  })
  await runFsCases(t, driver, { readOnly: false })
})

t.test('MegaFs directly, read-only profile', async t => {
  const remote = new FakeRemote()
  addFixture(remote)
  const fs = new MegaFs({ remote, options: testOptions({ readOnly: true }), logger: silentLogger, time: new ManualTime(), stateDir: '/nonexistent', writes: stagedWrites({ trashPurgeCron: null }) })
  t.teardown(() => fs.close())
  await runFsCases(t, megaFsDriver(fs), { readOnly: true })
})
