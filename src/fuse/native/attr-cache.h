// The attributes of files being written that JavaScript last gave the
// kernel, so that the loop thread can answer, with no trip into JavaScript,
// the requests whose answer they already are:
// - GETATTR, while they are valid. After a write the kernel forgets a
//   file's size and times and asks again (rsync's stat after it closes the
//   file); JavaScript hands the attributes along with the write's answer.
// - SETATTR that only sets the mode or the owner: MEGA keeps neither, so
//   the core's answer is the attributes unchanged (rsync's fchmod after each
//   create).
//
// An entry is valid only while nothing that may change the attributes has
// happened since JavaScript sent them: a write, a setattr or an open of the
// inode, any change of a name (create, rename, unlink, ...: their inode is
// not known here), and JavaScript's own invalidations (the core learnt of a
// change: src/fuse/libfuse3/invalidator.ts). Each request gets a sequence
// number when it arrives; an answer to a request older than the last such
// event is not kept. An entry lasts the attribute TTL the kernel was given
// with it, so an answer from here is never staler than the kernel's own copy
// could have been. Which answers are kept is JavaScript's choice (files open
// for writing, src/fuse/libfuse3/adapter.ts); answers of other kinds for an
// inode with an entry replace it.

#pragma once

#define FUSE_USE_VERSION 34
#include <fuse_lowlevel.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace megamount {

class AttrCache {
 public:
  // Past this many inodes every entry is dropped: files written a while ago
  // gain nothing, and memory stays small.
  static constexpr size_t kMaxEntries = 1024;
  using Clock = std::chrono::steady_clock;

  enum Change { KEEPS, CHANGES_INODE, CHANGES_NAMES };

  // Loop thread, for every request to JavaScript: its sequence number.
  uint64_t Arrive(fuse_ino_t ino, Change change) {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t seq = ++seq_;
    if (change == CHANGES_INODE) MarkLocked(ino, seq);
    if (change == CHANGES_NAMES) ClearLocked(seq);
    return seq;
  }

  // Main thread, before answering request seq with st for ino (the next
  // request may arrive before this thread runs again): kept when wanted
  // (insert) or when the inode has such an entry to replace, unless something
  // that may change the attributes arrived after the request did.
  void Put(fuse_ino_t ino, const struct stat& st, double ttl_s, uint64_t seq, bool insert) {
    std::lock_guard<std::mutex> lock(mu_);
    if (seq < cleared_seq_) return;
    auto it = entries_.find(ino);
    if (it == entries_.end()) {
      if (!insert) return;
      if (entries_.size() >= kMaxEntries) {
        ClearLocked(seq_ + 1);
        return;
      }
      it = entries_.emplace(ino, Entry()).first;
    }
    Entry& e = it->second;
    // A mark alone (a write, a setattr that was not kept) is replaced only
    // by attributes JavaScript asked to keep.
    if (seq < e.changed_seq || !(insert || e.kept)) return;
    e.kept = true;
    e.st = st;
    e.expires = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ttl_s));
    e.valid = ttl_s > 0;
  }

  // Loop thread: the attributes and the seconds they stay valid, if known.
  bool Get(fuse_ino_t ino, struct stat* st, double* ttl_s) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(ino);
    if (it == entries_.end() || !it->second.valid) return false;
    double left = std::chrono::duration<double>(it->second.expires - Clock::now()).count();
    if (left <= 0) return false;
    *st = it->second.st;
    *ttl_s = left;
    answered_++;
    return true;
  }

  // Any thread: JavaScript's invalidations. Answers to requests already
  // arrived are not kept.
  void Drop(fuse_ino_t ino) {
    std::lock_guard<std::mutex> lock(mu_);
    MarkLocked(ino, seq_ + 1);
  }

  void DropAll() {
    std::lock_guard<std::mutex> lock(mu_);
    ClearLocked(seq_ + 1);
  }

  uint64_t answered() {
    std::lock_guard<std::mutex> lock(mu_);
    return answered_;
  }

 private:
  struct Entry {
    struct stat st {};
    Clock::time_point expires;
    bool valid = false;
    bool kept = false;         // JavaScript asked to keep this inode's attributes
    uint64_t changed_seq = 0;  // answers to older requests are not kept
  };

  void MarkLocked(fuse_ino_t ino, uint64_t seq) {
    // A mark is needed even without an entry: an answer still on its way
    // for an older request must not make one.
    if (entries_.size() >= kMaxEntries && entries_.find(ino) == entries_.end()) {
      ClearLocked(seq);
      return;
    }
    Entry& e = entries_[ino];
    e.valid = false;
    e.changed_seq = seq;
  }

  void ClearLocked(uint64_t seq) {
    entries_.clear();
    cleared_seq_ = seq;
  }

  std::mutex mu_;
  uint64_t seq_ = 0;
  uint64_t cleared_seq_ = 0;
  uint64_t answered_ = 0;
  std::unordered_map<fuse_ino_t, Entry> entries_;
};

}  // namespace megamount
