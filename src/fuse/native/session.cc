// Session lifecycle: mount, the request loop, the notify thread, teardown.
// See session.h for which thread does what.

#include "session.h"

#include <errno.h>
#include <signal.h>

#include <cstring>

#include "fuse-log.h"
#include "platform-mount.h"

namespace megamount {

namespace {
// Pieces of up to 1 MiB each way (FUSE3.md: the kernel then sends reads of
// up to read_ahead_kb, which src/fuse/libfuse3/readahead.ts raises).
constexpr uint32_t kMaxIoBytes = 1024 * 1024;
// Reads in flight at once per mount: read-ahead of several files can then
// overlap with a reader's own request.
constexpr uint32_t kMaxBackground = 64;
}  // namespace

Session::Session(napi_env env, napi_value dispatch) : env_(env) {
  napi_value name;
  napi_create_string_utf8(env, "megamount-fuse3", NAPI_AUTO_LENGTH, &name);
  // Unlimited queue: the loop thread must never block on JavaScript.
  napi_create_threadsafe_function(env, dispatch, nullptr, name, 0, 1, nullptr, nullptr, this, CallJs, &tsfn_);
}

Session::~Session() {
  // Only reached after Destroy (the wrapper keeps live sessions alive).
}

bool Session::Start(const std::string& mountpoint, const std::string& options, std::string* error) {
  std::vector<std::string> args = PlatformSessionArgs(options);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  {
    FuseLogCapture capture;
    se_ = fuse_session_new(&fargs, RequestOps(), sizeof(fuse_lowlevel_ops), this);
    fuse_opt_free_args(&fargs);
    if (se_ == nullptr) {
      *error = capture.Message("could not create the FUSE session (bad mount options)");
      return false;
    }
  }
  MountState state;
  bool ok = PlatformMount(se_, mountpoint, options, &state, error);
  mount_comm_fd_ = state.comm_fd;
  mount_helper_ = state.helper;
  if (!ok) {
    ReleaseMount();
    fuse_session_destroy(se_);
    se_ = nullptr;
    return false;
  }
  mounted_ = true;
  notifier_ = std::thread(&Session::NotifyLoop, this);
  loop_ = std::thread(&Session::Loop, this);
  return true;
}

void Session::Loop() {
  // Signals belong to Node's main thread.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  int res = fuse_session_loop(se_);
  // fuse_session_loop resets the exit flag on return; set it again so that
  // answers still coming from JavaScript to the dead connection are dropped
  // quietly instead of printing "fuse: writing device" errors.
  fuse_session_exit(se_);
  Request* r = new Request();
  r->op = OP_ENDED;
  r->flags = res;
  Post(r);
}

namespace {
// What a request may do to the attributes the kernel was given.
AttrCache::Change ChangeOf(const Request& r) {
  switch (r.op) {
    case OP_WRITE:
    case OP_SETATTR:
    case OP_OPEN:  // O_TRUNC
      return AttrCache::CHANGES_INODE;
    case OP_CREATE:
    case OP_MKNOD:
    case OP_MKDIR:
    case OP_UNLINK:
    case OP_RMDIR:
    case OP_SYMLINK:
    case OP_RENAME:
    case OP_LINK:
      return AttrCache::CHANGES_NAMES;
    default:
      return AttrCache::KEEPS;
  }
}
}  // namespace

void Session::Post(Request* r) {
  r->posted = std::chrono::steady_clock::now();
  if (r->req != nullptr) r->seq = attrs_.Arrive(static_cast<fuse_ino_t>(r->ino), ChangeOf(*r));
  if (napi_call_threadsafe_function(tsfn_, r, napi_tsfn_nonblocking) != napi_ok) {
    if (r->req != nullptr) fuse_reply_err(r->req, ENODEV);
    delete r;
  }
}

int32_t Session::Register(fuse_req_t req, uint64_t seq) {
  int32_t slot;
  auto now = std::chrono::steady_clock::now();
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = req;
    slot_started_[slot] = now;
    slot_seq_[slot] = seq;
  } else {
    slot = static_cast<int32_t>(slots_.size());
    slots_.push_back(req);
    slot_started_.push_back(now);
    slot_seq_.push_back(seq);
  }
  pending_++;
  return slot;
}

uint32_t Session::Expire(double max_ms) {
  if (destroyed_) return 0;
  auto now = std::chrono::steady_clock::now();
  uint32_t expired = 0;
  for (size_t i = 0; i < slots_.size(); i++) {
    if (slots_[i] == nullptr) continue;
    double age = std::chrono::duration<double, std::milli>(now - slot_started_[i]).count();
    if (age < max_ms) continue;
    fuse_req_t req = Take(static_cast<int32_t>(i));
    if (req != nullptr) fuse_reply_err(req, ETIMEDOUT);
    expired++;
  }
  return expired;
}

uint64_t Session::SlotSeq(int32_t slot) const {
  if (destroyed_ || slot < 0 || static_cast<size_t>(slot) >= slots_.size() || slots_[slot] == nullptr) return 0;
  return slot_seq_[slot];
}

fuse_req_t Session::Take(int32_t slot) {
  if (destroyed_ || slot < 0 || static_cast<size_t>(slot) >= slots_.size()) return nullptr;
  fuse_req_t req = slots_[slot];
  if (req == nullptr) return nullptr;
  slots_[slot] = nullptr;
  free_slots_.push_back(slot);
  pending_--;
  return req;
}

void Session::Notify(Notification n) {
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    if (notify_stop_) return;
    notify_queue_.push_back(std::move(n));
  }
  notify_cv_.notify_one();
}

void Session::NotifyLoop() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    Notification n;
    {
      std::unique_lock<std::mutex> lock(notify_mu_);
      notify_cv_.wait(lock, [this] { return notify_stop_ || !notify_queue_.empty(); });
      if (notify_queue_.empty()) return;  // stopping, nothing left
      n = std::move(notify_queue_.front());
      notify_queue_.pop_front();
    }
    int res = n.entry ? fuse_lowlevel_notify_inval_entry(se_, n.ino, n.name.c_str(), n.name.size())
                      : fuse_lowlevel_notify_inval_inode(se_, n.ino, n.off, n.len);
    std::lock_guard<std::mutex> lock(stats_mu_);
    // ENOENT: the kernel had nothing cached for it, which is fine.
    if (res == 0 || res == -ENOENT) stats_.notify_sent++;
    else stats_.notify_failed++;
  }
}

void Session::OnInit(fuse_conn_info* conn) {
  conn->max_write = kMaxIoBytes;
  // The kernel only lets this lower its own figure (FUSE3.md).
  conn->max_readahead = kMaxIoBytes;
  conn->max_background = kMaxBackground;
  conn->congestion_threshold = kMaxBackground * 3 / 4;
  // Not wanted: the page cache is managed through keep_cache and
  // invalidations; writeback caching would let the kernel hold writes the
  // upload queue has not seen (docs/filesystem.md).
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.max_write = conn->max_write;
  stats_.max_readahead = conn->max_readahead;
  stats_.capable = conn->capable;
  stats_.want = conn->want;
}

void Session::ReleaseMount() {
  MountState state;
  state.comm_fd = mount_comm_fd_;
  state.helper = mount_helper_;
  PlatformRelease(&state);
  mount_comm_fd_ = -1;
  mount_helper_ = -1;
}

Session::Stats Session::GetStats() {
  std::lock_guard<std::mutex> lock(stats_mu_);
  Stats s = stats_;
  s.pending = pending_;
  s.delivered = delivered_;
  s.wait_total_ms = wait_total_ms_;
  s.wait_max_ms = wait_max_ms_;
  s.answered_here = attrs_.answered();
  return s;
}

bool Session::Destroy() {
  if (destroyed_) return true;
  if (mounted_ && !ended_) return false;
  destroyed_ = true;
  // Requests JavaScript never answered: answer them now, to a connection
  // that is gone, so libfuse frees them before the session goes.
  for (size_t i = 0; i < slots_.size(); i++) {
    if (slots_[i] != nullptr) fuse_reply_err(slots_[i], ENODEV);
    slots_[i] = nullptr;
  }
  pending_ = 0;
  {
    std::lock_guard<std::mutex> lock(notify_mu_);
    notify_stop_ = true;
    notify_queue_.clear();
  }
  notify_cv_.notify_one();
  if (notifier_.joinable()) notifier_.join();
  if (loop_.joinable()) loop_.join();
  if (se_ != nullptr) {
    fuse_session_destroy(se_);
    se_ = nullptr;
  }
  ReleaseMount();
  napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
  tsfn_ = nullptr;
  return true;
}

}  // namespace megamount
