// Mounting differs per platform; each has its own file (mount-linux.cc,
// mount-darwin.cc) behind these three calls.

#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "session.h"

namespace megamount {

struct MountState {
  int comm_fd = -1;   // Linux: the socket fusermount3's watchdog waits on
  pid_t helper = -1;  // Linux: that watchdog (auto_unmount)
};

// Arguments for fuse_session_new.
std::vector<std::string> PlatformSessionArgs(const std::string& options);

// Mounts mountpoint and attaches the kernel connection to se. options is a
// mount option list ("fsname=...,subtype=...,auto_unmount").
bool PlatformMount(fuse_session* se, const std::string& mountpoint, const std::string& options, MountState* state,
                   std::string* error);

// After the kernel connection ended: lets the watchdog go.
void PlatformRelease(MountState* state);

}  // namespace megamount
