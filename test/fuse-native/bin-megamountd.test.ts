// test/bin/megamountd.test.ts again, through fuse-native (libfuse 2), the backend
// megamount falls back to where its libfuse 3 binding cannot be built.
process.env.MEGAMOUNT_FUSE_BACKEND = 'fuse-native'
await import('../bin/megamountd.test.js')
