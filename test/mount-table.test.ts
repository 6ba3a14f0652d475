import t from 'tap'
import { parseMacMountOutput, parseProcMounts } from '../src/mount-table.js'

t.test('/proc/mounts: octal escapes decoded', async t => {
  const text = 'megamount:photos /home/u/My\\040Photos fuse.megamount rw,nosuid 0 0\n/dev/sda1 / ext4 rw 0 0\n'
  t.same(parseProcMounts(text), [
    { source: 'megamount:photos', mountpoint: '/home/u/My Photos', type: 'fuse.megamount' },
    { source: '/dev/sda1', mountpoint: '/', type: 'ext4' },
  ])
})

t.test('macOS mount output', async t => {
  t.same(parseMacMountOutput('megamount:photos on /Users/u/MEGA Photos (macfuse, nodev, nosuid)\n'), [
    { source: 'megamount:photos', mountpoint: '/Users/u/MEGA Photos', type: 'macfuse' },
  ])
})
