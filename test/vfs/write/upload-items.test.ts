import t from 'tap'
import type { StagedFile } from '../../../src/vfs/write/staging.js'
import { UploadItems } from '../../../src/vfs/write/upload-items.js'
import { ManualTime } from '../../helpers/manual-time.js'

t.test('files coming due while a copy holds uploads back do not each scan the queue; the oldest goes when it ends', async t => {
  const time = new ManualTime(Date.UTC(2024, 2, 31, 12))
  let scans = 0
  const started: string[] = []
  const items: UploadItems = new UploadItems(
    time,
    () => {
      scans++
      const next = items.nextReady()
      if (next) started.push(next.file.path)
    },
    () => {},
    { quietMs: 2_000, maxHoldMs: 30_000 },
  )
  // A copy: a file written and closed every 10 ms for 5 s.
  for (let i = 0; i < 500; i++) {
    const item = items.opened({ path: `/copy/${i}` } as StagedFile)
    items.closed(item.file)
    items.schedule(item, 2_000, 'closed')
    await time.advance(10)
  }
  t.same(started, [], 'nothing starts while the copy runs')
  t.ok(scans <= 3, `${scans} looks for a ready upload while 300 files came due (one per file before)`)
  await time.advance(2_000)
  t.same(started, ['/copy/0'], 'the oldest goes once the copy was quiet for the delay')
  // What is due at once (a retry, a drain) does not wait for a copy.
  const retried = items.opened({ path: '/retried' } as StagedFile)
  items.closed(retried.file)
  items.schedule(retried, 0, 'closed')
  t.equal(started.at(-1), '/retried')
  items.close()
})
