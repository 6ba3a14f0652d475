import t from 'tap'
import { mountOptions } from '../../../src/fuse/libfuse3/mount-options.js'

t.test('Linux: auto_unmount, the fuse.megamount type, a name without commas', async t => {
  t.equal(mountOptions('megamount:my photos,2024', 'linux', {}), 'fsname=megamount:my_photos_2024,subtype=megamount,auto_unmount,nosuid,nodev')
})

t.test('macOS: the volume name, and FSKit on request', async t => {
  t.equal(mountOptions('megamount:photos', 'darwin', {}), 'fsname=megamount:photos,volname=photos')
  t.equal(mountOptions('megamount:photos', 'darwin', { MEGAMOUNT_MACFUSE_BACKEND: 'fskit' }), 'fsname=megamount:photos,volname=photos,backend=fskit')
})
