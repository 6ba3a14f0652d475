// The Node-API surface: a Session class whose methods answer kernel
// requests, and the `ops` table of request numbers. Argument checks are
// strict and throw: a wrong call is a bug in src/fuse/libfuse3/, and the
// kernel must never get a malformed answer.

#include <errno.h>
#include <sys/statvfs.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "session.h"

namespace megamount {

// memory.cc
napi_value ReduceMemory(napi_env env, napi_callback_info info);

namespace {

// Attribute records from JavaScript: one Float64Array, this many numbers
// each (src/fuse/libfuse3/attr-record.ts writes them in this order).
constexpr size_t kAttrStride = 11;
enum AttrField { A_INO, A_MODE, A_NLINK, A_UID, A_GID, A_SIZE, A_BLOCKS, A_BLKSIZE, A_ATIME, A_MTIME, A_CTIME };

#define CHECK_NAPI(env, call)                                    \
  do {                                                           \
    if ((call) != napi_ok) {                                     \
      napi_throw_error((env), nullptr, "N-API call failed: " #call); \
      return nullptr;                                            \
    }                                                            \
  } while (0)

napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value Number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

napi_value Bool(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

struct Args {
  napi_env env;
  size_t argc = 12;
  napi_value argv[12];
  napi_value self;
  Session* session = nullptr;
  bool ok = false;

  Args(napi_env e, napi_callback_info info, size_t want) : env(e) {
    if (napi_get_cb_info(env, info, &argc, argv, &self, nullptr) != napi_ok) return;
    if (argc < want) {
      napi_throw_type_error(env, nullptr, "too few arguments");
      return;
    }
    void* p = nullptr;
    if (napi_unwrap(env, self, &p) != napi_ok || p == nullptr) {
      napi_throw_type_error(env, nullptr, "not a Session");
      return;
    }
    session = static_cast<Session*>(p);
    ok = true;
  }

  double Num(size_t i) {
    double d = 0;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok) {
      napi_throw_type_error(env, nullptr, "expected a number");
      ok = false;
    }
    return d;
  }

  std::string Str(size_t i) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[i], nullptr, 0, &len) != napi_ok) {
      napi_throw_type_error(env, nullptr, "expected a string");
      ok = false;
      return "";
    }
    std::string s(len, '\0');
    napi_get_value_string_utf8(env, argv[i], &s[0], len + 1, &len);
    return s;
  }

  // A Float64Array's numbers.
  const double* Doubles(size_t i, size_t need) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float64_array || length < need) {
      napi_throw_type_error(env, nullptr, "expected a Float64Array of attributes");
      ok = false;
      return nullptr;
    }
    return static_cast<const double*>(data);
  }

  // A Buffer's (or any Uint8Array's) bytes.
  const char* Bytes(size_t i, size_t* length) {
    napi_typedarray_type type;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, argv[i], &type, length, &data, nullptr, nullptr) != napi_ok ||
        type != napi_uint8_array) {
      napi_throw_type_error(env, nullptr, "expected a Buffer");
      ok = false;
      return nullptr;
    }
    return static_cast<const char*>(data);
  }

  // An optional boolean argument (false when absent).
  bool Flag(size_t i) {
    bool b = false;
    if (i < argc) napi_get_value_bool(env, argv[i], &b);
    return b;
  }

  // The arrival number of the request behind the slot in argument 0
  // (attr-cache.h); call before Req, which frees the slot.
  uint64_t Seq() { return ok ? session->SlotSeq(static_cast<int32_t>(Num(0))) : 0; }

  // The request behind the slot in argument 0; null (and nothing thrown)
  // when the session is gone, because answers may arrive after unmount.
  fuse_req_t Req() {
    double slot = Num(0);
    if (!ok) return nullptr;
    return session->Take(static_cast<int32_t>(slot));
  }
};

timespec Spec(double ms) {
  timespec t;
  double sec = std::floor(ms / 1000.0);
  t.tv_sec = static_cast<time_t>(sec);
  t.tv_nsec = static_cast<long>(std::llround((ms - sec * 1000.0) * 1e6));
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

void FillStat(const double* a, struct stat* st) {
  memset(st, 0, sizeof(*st));
  st->st_ino = static_cast<ino_t>(a[A_INO]);
  st->st_mode = static_cast<mode_t>(a[A_MODE]);
  st->st_nlink = static_cast<nlink_t>(a[A_NLINK]);
  st->st_uid = static_cast<uid_t>(a[A_UID]);
  st->st_gid = static_cast<gid_t>(a[A_GID]);
  st->st_size = static_cast<off_t>(a[A_SIZE]);
  st->st_blocks = static_cast<blkcnt_t>(a[A_BLOCKS]);
  st->st_blksize = static_cast<blksize_t>(a[A_BLKSIZE]);
#ifdef __APPLE__
  st->st_atimespec = Spec(a[A_ATIME]);
  st->st_mtimespec = Spec(a[A_MTIME]);
  st->st_ctimespec = Spec(a[A_CTIME]);
#else
  st->st_atim = Spec(a[A_ATIME]);
  st->st_mtim = Spec(a[A_MTIME]);
  st->st_ctim = Spec(a[A_CTIME]);
#endif
}

void FillEntry(const double* a, double attr_timeout, double entry_timeout, fuse_entry_param* e) {
  memset(e, 0, sizeof(*e));
  e->ino = static_cast<fuse_ino_t>(a[A_INO]);
  e->generation = 0;  // inode numbers are never reused within a mount
  FillStat(a, &e->attr);
  e->attr_timeout = attr_timeout;
  e->entry_timeout = entry_timeout;
}

// Open flags from JavaScript: bit 0 keep_cache, bit 1 direct_io,
// bit 2 cache_readdir, bit 3 nonseekable.
void FillOpen(double fh, double bits, fuse_file_info* fi) {
  unsigned b = static_cast<unsigned>(bits);
  fi->fh = static_cast<uint64_t>(fh);
  fi->keep_cache = (b & 1) != 0;
  fi->direct_io = (b & 2) != 0;
  fi->cache_readdir = (b & 4) != 0;
  fi->nonseekable = (b & 8) != 0;
}

napi_value Answered(napi_env env, int res) { return Bool(env, res == 0); }

// replyErr(slot, errno)
napi_value ReplyErr(napi_env env, napi_callback_info info) {
  Args a(env, info, 2);
  if (!a.ok) return nullptr;
  fuse_req_t req = a.Req();
  double err = a.Num(1);
  if (!a.ok) return nullptr;
  if (req == nullptr) return Bool(env, false);
  return Answered(env, fuse_reply_err(req, static_cast<int>(err)));
}

// replyEntry(slot, attrs, attrTimeout, entryTimeout)
napi_value ReplyEntry(napi_env env, napi_callback_info info) {
  Args a(env, info, 4);
  if (!a.ok) return nullptr;
  const double* attrs = a.Doubles(1, kAttrStride);
  double at = a.Num(2), et = a.Num(3);
  if (!a.ok) return nullptr;
  uint64_t seq = a.Seq();
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  fuse_entry_param e;
  FillEntry(attrs, at, et, &e);
  if (e.ino != 0) a.session->attrs().Put(e.ino, e.attr, at, seq, false);
  return Answered(env, fuse_reply_entry(req, &e));
}

// replyCreate(slot, attrs, attrTimeout, entryTimeout, fh, openBits, keep):
// keep: the loop thread may answer with these attributes (attr-cache.h).
napi_value ReplyCreate(napi_env env, napi_callback_info info) {
  Args a(env, info, 6);
  if (!a.ok) return nullptr;
  const double* attrs = a.Doubles(1, kAttrStride);
  double at = a.Num(2), et = a.Num(3), fh = a.Num(4), bits = a.Num(5);
  bool keep = a.Flag(6);
  if (!a.ok) return nullptr;
  uint64_t seq = a.Seq();
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  fuse_entry_param e;
  FillEntry(attrs, at, et, &e);
  fuse_file_info fi;
  memset(&fi, 0, sizeof(fi));
  FillOpen(fh, bits, &fi);
  // Kept before the answer goes: the program's next request (its fchmod)
  // may reach the loop thread before this thread runs again.
  a.session->attrs().Put(e.ino, e.attr, at, seq, keep);
  return Answered(env, fuse_reply_create(req, &e, &fi));
}

// replyAttr(slot, attrs, attrTimeout, keep)
napi_value ReplyAttr(napi_env env, napi_callback_info info) {
  Args a(env, info, 3);
  if (!a.ok) return nullptr;
  const double* attrs = a.Doubles(1, kAttrStride);
  double at = a.Num(2);
  bool keep = a.Flag(3);
  if (!a.ok) return nullptr;
  uint64_t seq = a.Seq();
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  struct stat st;
  FillStat(attrs, &st);
  a.session->attrs().Put(st.st_ino, st, at, seq, keep);
  return Answered(env, fuse_reply_attr(req, &st, at));
}

// replyOpen(slot, fh, openBits)
napi_value ReplyOpen(napi_env env, napi_callback_info info) {
  Args a(env, info, 3);
  if (!a.ok) return nullptr;
  double fh = a.Num(1), bits = a.Num(2);
  if (!a.ok) return nullptr;
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  fuse_file_info fi;
  memset(&fi, 0, sizeof(fi));
  FillOpen(fh, bits, &fi);
  return Answered(env, fuse_reply_open(req, &fi));
}

// replyBuf(slot, buffer, length): the bytes are copied to the kernel before
// this returns, so the caller may reuse the buffer at once.
napi_value ReplyBuf(napi_env env, napi_callback_info info) {
  Args a(env, info, 3);
  if (!a.ok) return nullptr;
  size_t have = 0;
  const char* bytes = a.Bytes(1, &have);
  double n = a.Num(2);
  if (!a.ok) return nullptr;
  if (n < 0 || n > static_cast<double>(have)) {
    napi_throw_range_error(env, nullptr, "length past the end of the buffer");
    return nullptr;
  }
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  return Answered(env, fuse_reply_buf(req, bytes, static_cast<size_t>(n)));
}

// replyWrite(slot, count[, attrs, attrTimeout]): attrs, the file's
// attributes after the write, answer the kernel's next GETATTR from the
// loop thread (attr-cache.h).
napi_value ReplyWrite(napi_env env, napi_callback_info info) {
  Args a(env, info, 2);
  if (!a.ok) return nullptr;
  double n = a.Num(1);
  const double* attrs = a.argc >= 4 ? a.Doubles(2, kAttrStride) : nullptr;
  double at = attrs != nullptr ? a.Num(3) : 0;
  if (!a.ok) return nullptr;
  uint64_t seq = a.Seq();
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  if (attrs != nullptr) {
    struct stat st;
    FillStat(attrs, &st);
    a.session->attrs().Put(st.st_ino, st, at, seq, true);
  }
  return Answered(env, fuse_reply_write(req, static_cast<size_t>(n)));
}

// replyStatfs(slot, [bsize, frsize, blocks, bfree, bavail, files, ffree, favail, namemax])
napi_value ReplyStatfs(napi_env env, napi_callback_info info) {
  Args a(env, info, 2);
  if (!a.ok) return nullptr;
  const double* s = a.Doubles(1, 9);
  if (!a.ok) return nullptr;
  fuse_req_t req = a.Req();
  if (req == nullptr) return Bool(env, false);
  struct statvfs st;
  memset(&st, 0, sizeof(st));
  st.f_bsize = static_cast<unsigned long>(s[0]);
  st.f_frsize = static_cast<unsigned long>(s[1]);
  st.f_blocks = static_cast<fsblkcnt_t>(s[2]);
  st.f_bfree = static_cast<fsblkcnt_t>(s[3]);
  st.f_bavail = static_cast<fsblkcnt_t>(s[4]);
  st.f_files = static_cast<fsfilcnt_t>(s[5]);
  st.f_ffree = static_cast<fsfilcnt_t>(s[6]);
  st.f_favail = static_cast<fsfilcnt_t>(s[7]);
  st.f_namemax = static_cast<unsigned long>(s[8]);
  return Answered(env, fuse_reply_statfs(req, &st));
}

// replyDir(slot, size, plus, names, attrs, firstOffset, attrTimeout, entryTimeout)
// Packs entries until size is reached; entry i gets offset firstOffset + i + 1
// (where the next read resumes). With plus, every packed entry but "." and
// ".." counts as a lookup of its inode. Returns how many were packed, or -1
// when nothing reached the kernel (the session is gone, or the request was
// given up).
napi_value ReplyDir(napi_env env, napi_callback_info info) {
  Args a(env, info, 8);
  if (!a.ok) return nullptr;
  double size = a.Num(1);
  bool plus = false;
  napi_get_value_bool(env, a.argv[2], &plus);
  uint32_t count = 0;
  if (napi_get_array_length(env, a.argv[3], &count) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected an array of names");
    return nullptr;
  }
  const double* attrs = a.Doubles(4, static_cast<size_t>(count) * kAttrStride);
  double first = a.Num(5), at = a.Num(6), et = a.Num(7);
  if (!a.ok) return nullptr;
  if (size < 0 || size > 64 * 1024 * 1024) {
    napi_throw_range_error(env, nullptr, "bad readdir size");
    return nullptr;
  }
  // Names first: a bad argument must throw before the request is taken.
  std::vector<std::string> names(count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value v;
    napi_get_element(env, a.argv[3], i, &v);
    size_t len = 0;
    if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) {
      napi_throw_type_error(env, nullptr, "expected string names");
      return nullptr;
    }
    names[i].resize(len);
    napi_get_value_string_utf8(env, v, &names[i][0], len + 1, &len);
  }
  uint64_t seq = a.Seq();
  fuse_req_t req = a.Req();
  if (req == nullptr) return Number(env, -1);
  std::vector<char> buf(static_cast<size_t>(size));
  size_t used = 0;
  uint32_t packed = 0;
  for (; packed < count; packed++) {
    const double* rec = attrs + static_cast<size_t>(packed) * kAttrStride;
    off_t next = static_cast<off_t>(first) + packed + 1;
    const char* name = names[packed].c_str();
    size_t want;
    if (plus) {
      fuse_entry_param e;
      FillEntry(rec, at, et, &e);
      // "." and ".." are not looked up by the kernel: no inode for them.
      if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) e.ino = 0;
      want = fuse_add_direntry_plus(req, buf.data() + used, buf.size() - used, name, &e, next);
    } else {
      struct stat st;
      FillStat(rec, &st);
      want = fuse_add_direntry(req, buf.data() + used, buf.size() - used, name, &st, next);
    }
    if (want > buf.size() - used) break;
    used += want;
  }
  // A reply the kernel no longer waits for (its caller was killed) delivers
  // nothing: then no entry counts as looked up.
  if (fuse_reply_buf(req, buf.data(), used) != 0) return Number(env, -1);
  if (plus) {
    for (uint32_t i = 0; i < packed; i++) {
      const double* rec = attrs + static_cast<size_t>(i) * kAttrStride;
      struct stat st;
      FillStat(rec, &st);
      if (names[i] != "." && names[i] != "..") a.session->attrs().Put(st.st_ino, st, at, seq, false);
    }
  }
  return Number(env, packed);
}

// Hands a notification whose arguments all unpacked to the session's sender
// thread; after unmount there is no kernel connection to tell.
napi_value Deliver(Args& a, Notification n) {
  if (!a.ok) return nullptr;
  if (!a.session->destroyed()) a.session->Notify(std::move(n));
  return Undefined(a.env);
}

// notifyInvalInode(ino, off, len): off < 0 drops the attributes only.
napi_value NotifyInvalInode(napi_env env, napi_callback_info info) {
  Args a(env, info, 3);
  if (!a.ok) return nullptr;
  auto ino = static_cast<fuse_ino_t>(a.Num(0));
  auto off = static_cast<int64_t>(a.Num(1));
  if (a.ok) a.session->attrs().Drop(ino);
  return Deliver(a, Notification{false, ino, off, static_cast<int64_t>(a.Num(2)), std::string()});
}

// notifyInvalEntry(parentIno, name)
napi_value NotifyInvalEntry(napi_env env, napi_callback_info info) {
  Args a(env, info, 2);
  if (!a.ok) return nullptr;
  auto parent = static_cast<fuse_ino_t>(a.Num(0));
  // The name's inode is not known here.
  if (a.ok) a.session->attrs().DropAll();
  return Deliver(a, Notification{true, parent, 0, 0, a.Str(1)});
}

// expire(maxMs): ETIMEDOUT to requests waiting longer; returns how many.
napi_value Expire(napi_env env, napi_callback_info info) {
  Args a(env, info, 1);
  if (!a.ok) return nullptr;
  double max_ms = a.Num(0);
  if (!a.ok) return nullptr;
  return Number(env, a.session->Expire(max_ms));
}

// destroy(): true once gone; false while the kernel connection still runs.
napi_value Destroy(napi_env env, napi_callback_info info) {
  Args a(env, info, 0);
  if (!a.ok) return nullptr;
  return Bool(env, a.session->Destroy());
}

napi_value Stats(napi_env env, napi_callback_info info) {
  Args a(env, info, 0);
  if (!a.ok) return nullptr;
  Session::Stats s = a.session->GetStats();
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "maxWrite", Number(env, s.max_write));
  napi_set_named_property(env, obj, "maxReadahead", Number(env, s.max_readahead));
  napi_set_named_property(env, obj, "readdirplus", Bool(env, (s.want & FUSE_CAP_READDIRPLUS) != 0));
  napi_set_named_property(env, obj, "notificationsSent", Number(env, static_cast<double>(s.notify_sent)));
  napi_set_named_property(env, obj, "notificationsFailed", Number(env, static_cast<double>(s.notify_failed)));
  napi_set_named_property(env, obj, "pending", Number(env, static_cast<double>(s.pending)));
  napi_set_named_property(env, obj, "requests", Number(env, static_cast<double>(s.delivered)));
  napi_set_named_property(env, obj, "queueWaitMeanMs", Number(env, s.delivered > 0 ? s.wait_total_ms / s.delivered : 0));
  napi_set_named_property(env, obj, "queueWaitMaxMs", Number(env, s.wait_max_ms));
  napi_set_named_property(env, obj, "answeredInAddon", Number(env, static_cast<double>(s.answered_here)));
  return obj;
}

void FinalizeSession(napi_env, void* data, void*) {
  Session* s = static_cast<Session*>(data);
  // A session still connected to the kernel cannot be freed; the process is
  // exiting then, and the kernel cleans up (auto_unmount).
  if (s->Destroy()) delete s;
}

// new Session(mountpoint, options, dispatch): mounts, or throws with the
// reason (fusermount3's or libfuse's own words).
napi_value NewSession(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, &self, nullptr));
  if (argc < 3) {
    napi_throw_type_error(env, nullptr, "new Session(mountpoint, options, dispatch)");
    return nullptr;
  }
  std::string strs[2];
  for (int i = 0; i < 2; i++) {
    size_t len = 0;
    if (napi_get_value_string_utf8(env, argv[i], nullptr, 0, &len) != napi_ok) {
      napi_throw_type_error(env, nullptr, "mountpoint and options must be strings");
      return nullptr;
    }
    strs[i].resize(len);
    napi_get_value_string_utf8(env, argv[i], &strs[i][0], len + 1, &len);
  }
  napi_valuetype t;
  napi_typeof(env, argv[2], &t);
  if (t != napi_function) {
    napi_throw_type_error(env, nullptr, "dispatch must be a function");
    return nullptr;
  }
  Session* s = new Session(env, argv[2]);
  std::string error;
  if (!s->Start(strs[0], strs[1], &error)) {
    s->Destroy();
    delete s;
    napi_throw_error(env, "EMOUNT", error.c_str());
    return nullptr;
  }
  CHECK_NAPI(env, napi_wrap(env, self, s, FinalizeSession, nullptr, nullptr));
  return self;
}

}  // namespace

// Delivers one Request to JavaScript's dispatch function, on the main thread:
// dispatch(op, slot, ino, ino2, fh, off, size, flags, mode, name, name2, extra)
// extra: a Buffer for write, a Float64Array for setattr and forget.
void Session::CallJs(napi_env env, napi_value js_cb, void* context, void* data) {
  Session* s = static_cast<Session*>(context);
  Request* r = static_cast<Request*>(data);
  if (env == nullptr || s->destroyed_) {
    if (r->req != nullptr && !s->destroyed_) fuse_reply_err(r->req, ENODEV);
    delete r;
    return;
  }
  if (r->op == OP_ENDED) s->ended_ = true;
  double waited = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - r->posted).count();
  s->delivered_++;
  s->wait_total_ms_ += waited;
  if (waited > s->wait_max_ms_) s->wait_max_ms_ = waited;
  int32_t slot = r->req != nullptr ? s->Register(r->req, r->seq) : -1;
  napi_value argv[12];
  napi_create_int32(env, r->op, &argv[0]);
  napi_create_int32(env, slot, &argv[1]);
  napi_create_double(env, r->ino, &argv[2]);
  napi_create_double(env, r->ino2, &argv[3]);
  napi_create_double(env, r->fh, &argv[4]);
  napi_create_double(env, r->off, &argv[5]);
  napi_create_double(env, r->size, &argv[6]);
  napi_create_int32(env, r->flags, &argv[7]);
  napi_create_int32(env, r->mode, &argv[8]);
  napi_get_undefined(env, &argv[9]);
  napi_get_undefined(env, &argv[10]);
  napi_get_undefined(env, &argv[11]);
  if (!r->name.empty()) napi_create_string_utf8(env, r->name.data(), r->name.size(), &argv[9]);
  if (!r->name2.empty()) napi_create_string_utf8(env, r->name2.data(), r->name2.size(), &argv[10]);
  if (r->op == OP_WRITE) {
    void* copy = nullptr;
    napi_create_buffer_copy(env, r->data.size(), r->data.data(), &copy, &argv[11]);
  } else if (!r->numbers.empty()) {
    napi_value ab;
    void* bytes = nullptr;
    napi_create_arraybuffer(env, r->numbers.size() * sizeof(double), &bytes, &ab);
    memcpy(bytes, r->numbers.data(), r->numbers.size() * sizeof(double));
    napi_create_typedarray(env, napi_float64_array, r->numbers.size(), ab, 0, &argv[11]);
  }
  delete r;
  napi_value global;
  napi_get_global(env, &global);
  napi_value result;
  if (napi_call_function(env, global, js_cb, 12, argv, &result) == napi_pending_exception) {
    // dispatch must not throw; if it does, the request gets EIO rather than
    // hanging the caller, and the exception is reported as uncaught.
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    if (slot >= 0) {
      fuse_req_t req = s->Take(slot);
      if (req != nullptr) fuse_reply_err(req, EIO);
    }
    napi_fatal_exception(env, exc);
  }
}

}  // namespace megamount

namespace {

// Exports a table of C constants (op numbers, setattr bits) as an object of
// numbers, so the JavaScript side never repeats a value libfuse defines.
template <typename T, size_t N>
void ExportInts(napi_env env, napi_value exports, const char* name, const std::pair<const char*, T> (&table)[N]) {
  napi_value target;
  napi_create_object(env, &target);
  for (const auto& entry : table) {
    napi_value v;
    napi_create_int32(env, static_cast<int32_t>(entry.second), &v);
    napi_set_named_property(env, target, entry.first, v);
  }
  napi_set_named_property(env, exports, name, target);
}

napi_value Init(napi_env env, napi_value exports) {
  using namespace megamount;
  napi_property_descriptor methods[] = {
      {"replyErr", nullptr, ReplyErr, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyEntry", nullptr, ReplyEntry, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyCreate", nullptr, ReplyCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyAttr", nullptr, ReplyAttr, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyOpen", nullptr, ReplyOpen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyBuf", nullptr, ReplyBuf, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyWrite", nullptr, ReplyWrite, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyStatfs", nullptr, ReplyStatfs, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"replyDir", nullptr, ReplyDir, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"notifyInvalInode", nullptr, NotifyInvalInode, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"notifyInvalEntry", nullptr, NotifyInvalEntry, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"expire", nullptr, Expire, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"destroy", nullptr, Destroy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"stats", nullptr, Stats, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_value cls;
  napi_define_class(env, "Session", NAPI_AUTO_LENGTH, NewSession, nullptr, sizeof(methods) / sizeof(methods[0]),
                    methods, &cls);
  napi_set_named_property(env, exports, "Session", cls);

  napi_value reduce;
  napi_create_function(env, "reduceMemory", NAPI_AUTO_LENGTH, ReduceMemory, nullptr, &reduce);
  napi_set_named_property(env, exports, "reduceMemory", reduce);

  const std::pair<const char*, Op> names[] = {
      {"lookup", OP_LOOKUP},   {"forget", OP_FORGET},         {"getattr", OP_GETATTR},
      {"setattr", OP_SETATTR}, {"mknod", OP_MKNOD},           {"mkdir", OP_MKDIR},
      {"unlink", OP_UNLINK},   {"rmdir", OP_RMDIR},           {"symlink", OP_SYMLINK},
      {"rename", OP_RENAME},   {"link", OP_LINK},             {"open", OP_OPEN},
      {"read", OP_READ},       {"write", OP_WRITE},           {"flush", OP_FLUSH},
      {"release", OP_RELEASE}, {"fsync", OP_FSYNC},           {"opendir", OP_OPENDIR},
      {"readdir", OP_READDIR}, {"readdirplus", OP_READDIRPLUS}, {"releasedir", OP_RELEASEDIR},
      {"statfs", OP_STATFS},   {"access", OP_ACCESS},         {"create", OP_CREATE},
      {"ended", OP_ENDED},
  };
  ExportInts(env, exports, "ops", names);

  const std::pair<const char*, int> bits[] = {
      {"mode", FUSE_SET_ATTR_MODE},   {"uid", FUSE_SET_ATTR_UID},       {"gid", FUSE_SET_ATTR_GID},
      {"size", FUSE_SET_ATTR_SIZE},   {"atime", FUSE_SET_ATTR_ATIME},   {"mtime", FUSE_SET_ATTR_MTIME},
      {"atimeNow", FUSE_SET_ATTR_ATIME_NOW}, {"mtimeNow", FUSE_SET_ATTR_MTIME_NOW},
  };
  ExportInts(env, exports, "setattrBits", bits);

  napi_value version;
  napi_create_int32(env, fuse_version(), &version);
  napi_set_named_property(env, exports, "libfuseVersion", version);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
