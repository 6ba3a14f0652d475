// Changes made through the mount reach the mount's store: after the next
// start, with the bridge down, the stored tree shows them (an upload that
// finished, a folder made, a file deleted), written once per burst.
import t from 'tap'
import { silentLogger } from '../../../src/log.js'
import { MegaFs } from '../../../src/vfs/mega-fs.js'
import { MountStore } from '../../../src/vfs/store/mount-store.js'
import { stagedWrites, type StagedWrites } from '../../../src/vfs/write/write-staged.js'
import { testOptions } from '../../helpers/fake-remote.js'
import { ManualTime } from '../../helpers/manual-time.js'
import { WritableFakeRemote, until } from './write-fakes.js'

async function mount(dir: string, remote: WritableFakeRemote, time: ManualTime) {
  const store = MountStore.open(dir, 'src', silentLogger)
  let writes: StagedWrites | null = null
  const options = testOptions({ deleteMode: 'permanent' })
  const fs = new MegaFs({ remote, options, logger: silentLogger, time, stateDir: dir, store, writes: stagedWrites({ trashPurgeCron: null, onCreated: w => (writes = w) }) })
  await writes!.ready
  const queue = await writes!.uploads()
  const close = async () => {
    await fs.close()
    store.close()
  }
  return { fs, store, queue, close, options }
}

t.test('what this mount changed is in the stored tree at the next start', async t => {
  const dir = t.testdir()
  const time = new ManualTime()
  const remote = new WritableFakeRemote().addFolder('/docs').addFile('/docs/old.txt', 'old').addFile('/docs/gone.txt', 'bye')
  const first = await mount(dir, remote, time)
  t.same((await first.fs.readdir('/docs')).names.sort(), ['gone.txt', 'old.txt'])
  const h = await first.fs.create('/docs/new.txt', 0o644)
  await h.write(Buffer.from('new content'), 11, 0)
  await h.release()
  await first.fs.mkdir('/docs/sub', 0o755)
  await first.fs.unlink('/docs/gone.txt')
  await time.advance(first.options.uploadDelayMs)
  await until(() => first.queue.snapshot().totals.count === 0, 'uploaded')
  const stored = () => first.store.listings!.get('/docs')!
  t.equal(stored().stale, true, 'marked stale at once: a kill now would list it again before showing it')
  await time.advance(1_000) // the write of a burst of changes
  t.same(stored().entries.map(e => e.name).sort(), ['new.txt', 'old.txt', 'sub'], 'written once the burst is over')
  t.equal(stored().stale, false)
  await first.close()

  const second = await mount(dir, remote, time)
  t.teardown(second.close)
  second.fs.setBridgeAvailable(false)
  t.same((await second.fs.readdir('/docs')).names.sort(), ['new.txt', 'old.txt', 'sub'], 'the next start shows it with the bridge down')
  t.same((await second.fs.readdir('/docs/sub')).names, [], 'the new folder too')
  t.equal((await second.fs.getattr('/docs/new.txt')).size, 11)
  await t.rejects(second.fs.getattr('/docs/gone.txt'), { code: 'ENOENT' })
})
