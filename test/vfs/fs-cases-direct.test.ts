// The functional cases against MegaFs directly (no kernel); the same cases
// run through a real mount in test/fuse/mount.test.ts.
import t from 'tap'
import { silentLogger } from '../../src/log.js'
import { MegaFs } from '../../src/vfs/mega-fs.js'
import { FakeRemote, testOptions } from '../helpers/fake-remote.js'
import { ManualTime } from '../helpers/manual-time.js'
import { addFixture, runFsCases } from '../helpers/fs-cases.js'
import { megaFsDriver } from '../helpers/fs-drivers.js'

for (const readOnly of [false, true]) {
  t.test(`MegaFs directly, readOnly ${readOnly}`, async t => {
    const remote = new FakeRemote()
    addFixture(remote)
    const fs = new MegaFs({ remote, options: testOptions({ readOnly }), logger: silentLogger, time: new ManualTime(), stateDir: '/nonexistent' })
    await runFsCases(t, megaFsDriver(fs), { readOnly })
  })
}
