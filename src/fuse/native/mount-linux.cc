// Linux: mount through fusermount3 ourselves, the way libfuse does, but
// keeping the two things libfuse drops: the socket fusermount3's watchdog
// waits on (auto_unmount) and the watchdog's pid. Closing the socket after a
// clean unmount lets the watchdog exit, so a remount does not leave one
// behind; if the daemon dies instead, the kernel closes the socket and the
// watchdog unmounts the dead mount. fusermount3's stderr becomes the error
// message. The connection is then handed to libfuse as /dev/fd/N.

#ifdef __linux__

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "fuse-log.h"
#include "platform-mount.h"

extern char** environ;

namespace megamount {

namespace {

// fusermount3 from libfuse 3; fusermount (libfuse 2's, or Debian's link to
// fusermount3) speaks the same protocol, auto_unmount included.
std::string FindFusermount() {
  const char* path = getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* prog : {"fusermount3", "fusermount"}) {
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = dirs.find(':', start);
      if (end == std::string::npos) end = dirs.size();
      std::string candidate = dirs.substr(start, end - start) + "/" + prog;
      if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
      start = end + 1;
    }
  }
  return "";
}

int ReceiveFd(int sock) {
  char byte;
  iovec iov = {&byte, 1};
  char control[CMSG_SPACE(sizeof(int))];
  msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n == -1 && errno == EINTR);
  if (n <= 0) return -1;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
  return fd;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0 || (n == -1 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) if (c == '\n') c = ';';
  return out;
}

}  // namespace

std::vector<std::string> PlatformSessionArgs(const std::string&) {
  // The mount options go to fusermount3, not to libfuse.
  return {"megamount"};
}

bool PlatformMount(fuse_session* se, const std::string& mountpoint, const std::string& options, MountState* state,
                   std::string* error) {
  std::string prog = FindFusermount();
  if (prog.empty()) {
    *error = "fusermount3 is not installed (Debian/Ubuntu: sudo apt-get install fuse3)";
    return false;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
    *error = std::string("socketpair: ") + strerror(errno);
    return false;
  }
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) == -1) {
    *error = std::string("pipe: ") + strerror(errno);
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  // Everything the child needs is built before fork: only async-signal-safe
  // calls may follow it in a threaded process.
  std::string commfd = "_FUSE_COMMFD=" + std::to_string(sv[1]);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; e++) {
    // A sanitizer runtime preloaded into Node (docs/filesystem.md) must not
    // follow into the setuid helper.
    if (strncmp(*e, "_FUSE_COMMFD=", 13) != 0 && strncmp(*e, "LD_PRELOAD=", 11) != 0) envp.push_back(*e);
  }
  envp.push_back(const_cast<char*>(commfd.c_str()));
  envp.push_back(nullptr);
  const char* argv[] = {prog.c_str(), "-o", options.c_str(), "--", mountpoint.c_str(), nullptr};

  pid_t pid = fork();
  if (pid == -1) {
    *error = std::string("fork: ") + strerror(errno);
    close(sv[0]);
    close(sv[1]);
    close(errpipe[0]);
    close(errpipe[1]);
    return false;
  }
  if (pid == 0) {
    dup2(errpipe[1], 1);
    dup2(errpipe[1], 2);
    fcntl(sv[1], F_SETFD, 0);  // the one descriptor fusermount3 inherits
    execve(argv[0], const_cast<char* const*>(argv), envp.data());
    _exit(127);
  }
  close(sv[1]);
  close(errpipe[1]);
  int fd = ReceiveFd(sv[0]);
  if (fd == -1) {
    std::string said = ReadAll(errpipe[0]);
    close(errpipe[0]);
    close(sv[0]);
    waitpid(pid, nullptr, 0);
    *error = said.empty() ? "fusermount3 failed without a message" : said;
    return false;
  }
  // The watchdog keeps running; it blocks every signal, so a write to this
  // closed pipe only fails.
  close(errpipe[0]);
  state->comm_fd = sv[0];
  state->helper = pid;
  std::string devfd = "/dev/fd/" + std::to_string(fd);
  FuseLogCapture capture;
  if (fuse_session_mount(se, devfd.c_str()) != 0) {
    *error = capture.Message("libfuse refused the connection");
    close(fd);
    return false;
  }
  return true;
}

void PlatformRelease(MountState* state) {
  if (state->comm_fd != -1) {
    close(state->comm_fd);
    state->comm_fd = -1;
  }
  if (state->helper > 0) {
    // The watchdog sees the socket close, finds the mount already gone and
    // exits; reap it without holding up the caller.
    pid_t pid = state->helper;
    state->helper = -1;
    std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
  }
}

}  // namespace megamount

#endif  // __linux__
