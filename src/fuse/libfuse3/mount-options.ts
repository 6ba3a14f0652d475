// Mount options per platform (the C side passes them on unread).
// Linux (fusermount3): auto_unmount keeps a watchdog that removes the mount
// when the daemon dies, however it dies; nosuid and nodev as for any user
// mount; subtype gives the type fuse.megamount that the daemon and
// stale-mount.ts look for.
// macOS (macFUSE 4.10+, FUSE-T; never run, see docs/filesystem.md): the
// volume name Finder shows, and macFUSE's FSKit backend (no kernel
// extension) when MEGAMOUNT_MACFUSE_BACKEND=fskit.

export function mountOptions(fsName: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  // Options are comma-separated: a comma or blank in a name would split it.
  const name = fsName.replace(/[,\s]/g, '_')
  if (platform === 'darwin') {
    const volume = name.replace(/^megamount:/, '')
    return [`fsname=${name}`, `volname=${volume}`, ...(env.MEGAMOUNT_MACFUSE_BACKEND === 'fskit' ? ['backend=fskit'] : [])].join(',')
  }
  return [`fsname=${name}`, 'subtype=megamount', 'auto_unmount', 'nosuid', 'nodev'].join(',')
}
