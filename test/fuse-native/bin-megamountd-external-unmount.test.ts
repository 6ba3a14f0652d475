// test/bin/megamountd-external-unmount.test.ts again, through fuse-native,
// which does not see its mount end: there the mount-table watch notices it.
process.env.MEGAMOUNT_FUSE_BACKEND = 'fuse-native'
await import('../bin/megamountd-external-unmount.test.js')
