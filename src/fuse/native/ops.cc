// Kernel requests to Requests: each callback runs on the loop thread, copies
// what the request carries and queues it for JavaScript. None of them waits
// for an answer; JavaScript replies later through the functions in
// binding.cc. Forgets need no answer and are passed on in one batch.

#include <errno.h>

#include <cmath>

#include "session.h"

namespace megamount {

namespace {

Session* SessionOf(fuse_req_t req) { return static_cast<Session*>(fuse_req_userdata(req)); }

Request* NewRequest(Op op, fuse_req_t req, fuse_ino_t ino) {
  Request* r = new Request();
  r->op = op;
  r->req = req;
  r->ino = static_cast<double>(ino);
  return r;
}

void SetFile(Request* r, const fuse_file_info* fi) {
  if (fi != nullptr) {
    r->fh = static_cast<double>(fi->fh);
    r->flags = fi->flags;
  }
}

double TimeMs(const timespec& t) { return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6; }

#ifdef __APPLE__
#define MM_ATIME(st) (st)->st_atimespec
#define MM_MTIME(st) (st)->st_mtimespec
#else
#define MM_ATIME(st) (st)->st_atim
#define MM_MTIME(st) (st)->st_mtim
#endif

void Init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->OnInit(conn); }

// The requests that carry only a name in a folder (lookup, unlink, rmdir).
template <Op op>
void NameOp(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Request* r = NewRequest(op, req, parent);
  r->name = name;
  SessionOf(req)->Post(r);
}

// The requests on an inode with an optional handle (open, release,
// opendir, releasedir, getattr).
template <Op op>
void HandleOp(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Request* r = NewRequest(op, req, ino);
  SetFile(r, fi);
  SessionOf(req)->Post(r);
}

// Reads of bytes or folder entries: a size at an offset.
template <Op op>
void SizedOp(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Request* r = NewRequest(op, req, ino);
  SetFile(r, fi);
  r->size = static_cast<double>(size);
  r->off = static_cast<double>(off);
  SessionOf(req)->Post(r);
}

// mkdir, and mknod (whose device number is never used here).
template <Op op>
void MakeOp(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Request* r = NewRequest(op, req, parent);
  r->name = name;
  r->mode = static_cast<int32_t>(mode);
  SessionOf(req)->Post(r);
}

// The attributes JavaScript last gave the kernel, when still valid
// (attr-cache.h): answered here.
void Getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  struct stat st;
  double ttl = 0;
  if (SessionOf(req)->attrs().Get(ino, &st, &ttl)) {
    fuse_reply_attr(req, &st, ttl);
    return;
  }
  HandleOp<OP_GETATTR>(req, ino, fi);
}

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Session* s = SessionOf(req);
  fuse_reply_none(req);
  Request* r = NewRequest(OP_FORGET, nullptr, 0);
  r->numbers = {static_cast<double>(ino), static_cast<double>(nlookup)};
  s->Post(r);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Session* s = SessionOf(req);
  Request* r = NewRequest(OP_FORGET, nullptr, 0);
  r->numbers.reserve(count * 2);
  for (size_t i = 0; i < count; i++) {
    r->numbers.push_back(static_cast<double>(forgets[i].ino));
    r->numbers.push_back(static_cast<double>(forgets[i].nlookup));
  }
  fuse_reply_none(req);
  s->Post(r);
}

// Setting only these changes nothing the core keeps (MEGA has no modes or
// owners): the answer is the attributes as they are.
constexpr int kKeptSetattr = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_CTIME;

void Setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  struct stat st;
  double ttl = 0;
  if ((to_set & ~kKeptSetattr) == 0 && SessionOf(req)->attrs().Get(ino, &st, &ttl)) {
    fuse_reply_attr(req, &st, ttl);
    return;
  }
  Request* r = NewRequest(OP_SETATTR, req, ino);
  SetFile(r, fi);
  r->flags = to_set;
  // size, atime, mtime (ms), mode, uid, gid; NaN where not being set.
  // The *_NOW flags stay in to_set: JavaScript's clock decides "now".
  const double nan = std::nan("");
  r->numbers = {
      (to_set & FUSE_SET_ATTR_SIZE) ? static_cast<double>(attr->st_size) : nan,
      (to_set & FUSE_SET_ATTR_ATIME) ? TimeMs(MM_ATIME(attr)) : nan,
      (to_set & FUSE_SET_ATTR_MTIME) ? TimeMs(MM_MTIME(attr)) : nan,
      (to_set & FUSE_SET_ATTR_MODE) ? static_cast<double>(attr->st_mode) : nan,
      (to_set & FUSE_SET_ATTR_UID) ? static_cast<double>(attr->st_uid) : nan,
      (to_set & FUSE_SET_ATTR_GID) ? static_cast<double>(attr->st_gid) : nan,
  };
  SessionOf(req)->Post(r);
}

void Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t) { MakeOp<OP_MKNOD>(req, parent, name, mode); }

void Symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Request* r = NewRequest(OP_SYMLINK, req, parent);
  r->name = name;
  r->name2 = link;
  SessionOf(req)->Post(r);
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
            unsigned int flags) {
  Request* r = NewRequest(OP_RENAME, req, parent);
  r->name = name;
  r->ino2 = static_cast<double>(newparent);
  r->name2 = newname;
  r->flags = static_cast<int32_t>(flags);
  SessionOf(req)->Post(r);
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Request* r = NewRequest(OP_LINK, req, ino);
  r->ino2 = static_cast<double>(newparent);
  r->name = newname;
  SessionOf(req)->Post(r);
}

void Write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  Request* r = NewRequest(OP_WRITE, req, ino);
  SetFile(r, fi);
  r->off = static_cast<double>(off);
  // The loop reuses its buffer for the next request: keep a copy.
  r->data.assign(buf, buf + size);
  SessionOf(req)->Post(r);
}

void Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Request* r = NewRequest(OP_FSYNC, req, ino);
  SetFile(r, fi);
  r->flags = datasync;
  SessionOf(req)->Post(r);
}

void Statfs(fuse_req_t req, fuse_ino_t ino) { SessionOf(req)->Post(NewRequest(OP_STATFS, req, ino)); }

void Access(fuse_req_t req, fuse_ino_t ino, int mask) {
  Request* r = NewRequest(OP_ACCESS, req, ino);
  r->flags = mask;
  SessionOf(req)->Post(r);
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Request* r = NewRequest(OP_CREATE, req, parent);
  SetFile(r, fi);
  r->name = name;
  r->mode = static_cast<int32_t>(mode);
  SessionOf(req)->Post(r);
}

fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops = {};
  ops.init = Init;
  ops.lookup = NameOp<OP_LOOKUP>;
  ops.forget = Forget;
  ops.forget_multi = ForgetMulti;
  ops.getattr = Getattr;
  ops.setattr = Setattr;
  ops.mknod = Mknod;
  ops.mkdir = MakeOp<OP_MKDIR>;
  ops.unlink = NameOp<OP_UNLINK>;
  ops.rmdir = NameOp<OP_RMDIR>;
  ops.symlink = Symlink;
  ops.rename = Rename;
  ops.link = Link;
  ops.open = HandleOp<OP_OPEN>;
  ops.read = SizedOp<OP_READ>;
  ops.write = Write;
  // No flush: every handle's flush is a no-op (the data is staged by each
  // write, errors are reported by the write), and close(2) waits for the
  // flush answer. libfuse answers ENOSYS to the first one, after which the
  // kernel sends no more (fc->no_flush) and close(2) returns at once: a
  // copy of many small files saved a round trip into JavaScript per file.
  ops.release = HandleOp<OP_RELEASE>;
  ops.fsync = Fsync;
  ops.opendir = HandleOp<OP_OPENDIR>;
  ops.readdir = SizedOp<OP_READDIR>;
  ops.readdirplus = SizedOp<OP_READDIRPLUS>;
  ops.releasedir = HandleOp<OP_RELEASEDIR>;
  ops.statfs = Statfs;
  ops.access = Access;
  ops.create = Create;
  return ops;
}

}  // namespace

const fuse_lowlevel_ops* RequestOps() {
  static const fuse_lowlevel_ops ops = MakeOps();
  return &ops;
}

}  // namespace megamount
