// One libfuse 3 low-level session: the kernel connection of one mount.
//
// Threads:
// - the loop thread reads kernel requests (fuse_session_loop) and, for each,
//   queues a Request to JavaScript through a thread-safe function. It never
//   waits for an answer, so many requests are in flight at once.
// - JavaScript (the main thread) answers each request later through the
//   reply functions, which call fuse_reply_* directly (libfuse allows a reply
//   from any thread). Every request gets a slot number; the slot table is
//   touched only on the main thread, so it needs no lock.
// - the notify thread sends cache invalidations to the kernel. They must not
//   run on the main thread: the kernel may hold a folder's lock while waiting
//   for a request that only the main thread can answer.
//
// Nothing here knows what a path or a file is: src/fuse/libfuse3/ decides.

#pragma once

#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <node_api.h>

#include "attr-cache.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace megamount {

// Request kinds, exported to JavaScript as `ops` (the one list of numbers).
enum Op : int32_t {
  OP_LOOKUP = 1,
  OP_FORGET,
  OP_GETATTR,
  OP_SETATTR,
  OP_MKNOD,
  OP_MKDIR,
  OP_UNLINK,
  OP_RMDIR,
  OP_SYMLINK,
  OP_RENAME,
  OP_LINK,
  OP_OPEN,
  OP_READ,
  OP_WRITE,
  OP_FLUSH,
  OP_RELEASE,
  OP_FSYNC,
  OP_OPENDIR,
  OP_READDIR,
  OP_READDIRPLUS,
  OP_RELEASEDIR,
  OP_STATFS,
  OP_ACCESS,
  OP_CREATE,
  // Not a kernel request: the loop ended (unmounted, or the kernel went away).
  OP_ENDED,
};

// What one kernel request carries to JavaScript. Numbers travel as doubles:
// inode and handle numbers are ours and stay below 2^53.
struct Request {
  Op op;
  fuse_req_t req = nullptr;  // null for forget and ended (nothing to answer)
  double ino = 0;            // the node, or the parent for name operations
  double ino2 = 0;           // rename and link: the new parent
  double fh = 0;             // file or folder handle; 0 when none was given
  double off = 0;            // read, write, readdir: offset
  double size = 0;           // read, readdir: bytes asked
  int32_t flags = 0;         // open flags, setattr's to_set, rename flags, access mask, datasync
  int32_t mode = 0;          // mkdir, create, mknod
  std::string name;          // name in the parent; symlink: the link's name
  std::string name2;         // rename: new name; symlink: the target
  std::vector<char> data;    // write: the bytes
  std::vector<double> numbers;  // setattr: size, atime, mtime (ms), mode, uid, gid; forget: ino, count pairs
  std::chrono::steady_clock::time_point posted;  // when the loop thread queued it
  uint64_t seq = 0;          // its arrival in the attribute cache (attr-cache.h)
};

struct Notification {
  bool entry;  // true: forget a name in a folder; false: attributes/pages of a node
  fuse_ino_t ino;
  int64_t off;
  int64_t len;
  std::string name;
};

class Session {
 public:
  Session(napi_env env, napi_value dispatch);
  ~Session();

  // Mounts and starts the loop; on failure returns false with error set.
  // options: mount options, comma-separated (fsname=...,auto_unmount,...).
  bool Start(const std::string& mountpoint, const std::string& options, std::string* error);

  // Main thread only. Returns the request behind slot and frees the slot,
  // or null when the slot is unknown or the session is gone.
  fuse_req_t Take(int32_t slot);
  // Main thread: the arrival number of the request behind a live slot (0
  // when none), for the attribute cache.
  uint64_t SlotSeq(int32_t slot) const;
  int32_t Register(fuse_req_t req, uint64_t seq);
  // Answers ETIMEDOUT to every request waiting longer than max_ms: the
  // backstop that keeps a program from hanging on an operation JavaScript
  // never finishes. Its late answer then finds the slot taken. Main thread.
  uint32_t Expire(double max_ms);

  void Notify(Notification n);

  // After OP_ENDED: answers what is still pending, stops the threads and
  // frees the session. Returns false when the loop is still running.
  bool Destroy();
  bool destroyed() const { return destroyed_; }
  bool ended() const { return ended_; }

  void Post(Request* r);  // any thread

  // Attributes the loop thread may answer with (attr-cache.h).
  AttrCache& attrs() { return attrs_; }

  // Figures for status: what the kernel agreed to at INIT and what was sent.
  struct Stats {
    uint32_t max_write = 0;
    uint32_t max_readahead = 0;
    uint32_t capable = 0;
    uint32_t want = 0;
    uint64_t notify_sent = 0;
    uint64_t notify_failed = 0;
    uint64_t pending = 0;
    // How long requests waited for the main thread (queue to JavaScript).
    uint64_t delivered = 0;
    double wait_total_ms = 0;
    double wait_max_ms = 0;
    // Requests answered on the loop thread from the attribute cache.
    uint64_t answered_here = 0;
  };
  Stats GetStats();

  fuse_session* se() const { return se_; }
  napi_env env() const { return env_; }
  void OnInit(fuse_conn_info* conn);

 private:
  void Loop();
  void ReleaseMount();
  void NotifyLoop();
  static void CallJs(napi_env env, napi_value js_cb, void* context, void* data);

  napi_env env_;
  napi_threadsafe_function tsfn_ = nullptr;
  int mount_comm_fd_ = -1;   // see platform-mount.h
  pid_t mount_helper_ = -1;
  fuse_session* se_ = nullptr;
  bool mounted_ = false;
  bool destroyed_ = false;
  bool ended_ = false;

  std::thread loop_;
  std::thread notifier_;
  std::mutex notify_mu_;
  std::condition_variable notify_cv_;
  std::deque<Notification> notify_queue_;
  bool notify_stop_ = false;

  std::vector<fuse_req_t> slots_;
  std::vector<std::chrono::steady_clock::time_point> slot_started_;
  std::vector<uint64_t> slot_seq_;
  AttrCache attrs_;
  std::vector<int32_t> free_slots_;
  uint64_t pending_ = 0;
  uint64_t delivered_ = 0;  // main thread only, like the slots
  double wait_total_ms_ = 0;
  double wait_max_ms_ = 0;

  std::mutex stats_mu_;
  Stats stats_;
};

// The fuse_lowlevel_ops table that turns kernel requests into Requests.
const fuse_lowlevel_ops* RequestOps();

}  // namespace megamount
