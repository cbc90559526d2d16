#include "ctl/io.hpp"

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace ctl {
namespace {

timespec start_time{};
void (*exit_hook)() = nullptr;

}  // namespace

void set_exit_hook(void (*hook)()) {
  exit_hook = hook;
}

void exit_now(int status) {
  if (exit_hook != nullptr) exit_hook();
  std::_Exit(status);
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void out(const std::string& text) {
  if (!write_all(STDOUT_FILENO, text.data(), text.size())) exit_now(exit_broken_pipe);
}

void out_line(const std::string& line) {
  std::string s;
  s.reserve(line.size() + 1);
  s += line;
  s += '\n';
  out(s);
}

void err(const std::string& text) {
  (void)write_all(STDERR_FILENO, text.data(), text.size());
}

void print_error(const std::string& message) {
  err("Error: " + message + "\n");
}

void mark_start_time() {
  clock_gettime(CLOCK_MONOTONIC, &start_time);
}

void print_warning(const std::string& message) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  long secs = static_cast<long>(now.tv_sec - start_time.tv_sec);
  if (secs < 0) secs = 0;
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "WARN[%04ld] ", secs);
  err(prefix + message + "\n");
}

}  // namespace ctl
