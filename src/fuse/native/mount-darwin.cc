// macOS (macFUSE >= 4.10 with its libfuse 3, or FUSE-T): libfuse mounts
// through the platform's own helper (mount_macfuse, or FUSE-T's NFS server);
// the options go to fuse_session_new. macFUSE unmounts by itself when the
// process dies, so there is no watchdog to manage. Built and run on Linux
// only so far: this file has not been compiled on a Mac (docs/filesystem.md).

#ifdef __APPLE__

#include "fuse-log.h"
#include "platform-mount.h"

namespace megamount {

std::vector<std::string> PlatformSessionArgs(const std::string& options) {
  return {"megamount", "-o", options};
}

bool PlatformMount(fuse_session* se, const std::string& mountpoint, const std::string&, MountState*,
                   std::string* error) {
  FuseLogCapture capture;
  if (fuse_session_mount(se, mountpoint.c_str()) != 0) {
    *error = capture.Message("mount failed (is macFUSE 4.10 or newer, or FUSE-T, installed?)");
    return false;
  }
  return true;
}

void PlatformRelease(MountState*) {}

}  // namespace megamount

#endif  // __APPLE__
