// Collects what libfuse logs while a mount is being set up, so a failure
// reaches the user as one message instead of lines on the daemon's stderr.

#pragma once

#define FUSE_USE_VERSION 34
#include <fuse_log.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string>

namespace megamount {

class FuseLogCapture {
 public:
  FuseLogCapture() {
    std::lock_guard<std::mutex> lock(Mu());
    Text().clear();
    fuse_set_log_func(&FuseLogCapture::Log);
  }
  ~FuseLogCapture() {
    std::lock_guard<std::mutex> lock(Mu());
    fuse_set_log_func(nullptr);  // back to libfuse's default: stderr
  }
  // What libfuse said, on one line, or fallback when it said nothing.
  std::string Message(const char* fallback) {
    std::lock_guard<std::mutex> lock(Mu());
    std::string s = Text();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s) if (c == '\n') c = ';';
    return s.empty() ? std::string(fallback) : s;
  }

 private:
  static std::mutex& Mu() {
    static std::mutex mu;
    return mu;
  }
  static std::string& Text() {
    static std::string text;
    return text;
  }
  static void Log(enum fuse_log_level, const char* fmt, va_list ap) {
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    std::lock_guard<std::mutex> lock(Mu());
    if (Text().size() < 4096) Text() += line;
  }
};

}  // namespace megamount
