// test/fuse/mount-rclone.test.ts again, through fuse-native (libfuse 2), the backend
// megamount falls back to where its libfuse 3 binding cannot be built.
process.env.MEGAMOUNT_FUSE_BACKEND = 'fuse-native'
await import('../fuse/mount-rclone.test.js')
