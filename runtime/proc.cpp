#include "runtime/proc.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ctrd::proc {

namespace {

// Reads /proc/<pid>/stat; returns false if the process is gone.
bool read_stat(pid_t pid, char& state, uint64_t& start, pid_t* ppid = nullptr) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  // The command name may contain spaces and parentheses: parse after the last ')'.
  char* p = nullptr;
  for (ssize_t i = n - 1; i >= 0; --i)
    if (buf[i] == ')') {
      p = buf + i + 1;
      break;
    }
  if (!p) return false;
  // Fields after ')': 3 state, 4 ppid, ... 22 starttime.
  unsigned long long st = 0;
  char s = 0;
  int field = 2;
  char* tok = p;
  while (*tok && field < 22) {
    while (*tok == ' ') ++tok;
    ++field;
    if (field == 3) s = *tok;
    if (field == 4 && ppid != nullptr) *ppid = static_cast<pid_t>(std::strtol(tok, nullptr, 10));
    if (field == 22) {
      st = std::strtoull(tok, nullptr, 10);
      break;
    }
    while (*tok && *tok != ' ') ++tok;
  }
  state = s;
  start = st;
  return field == 22;
}

}  // namespace

uint64_t start_time(pid_t pid) {
  char s;
  uint64_t st;
  return read_stat(pid, s, st) ? st : 0;
}

pid_t parent_of(pid_t pid) {
  char s;
  uint64_t st;
  pid_t ppid = 0;
  return read_stat(pid, s, st, &ppid) ? ppid : 0;
}

bool is_same_process(pid_t pid, uint64_t start) {
  char s;
  uint64_t st;
  if (pid <= 0 || !read_stat(pid, s, st)) return false;
  return st == start && s != 'Z' && s != 'X';
}

bool belongs_to_container(pid_t pid, pid_t main_pid, const std::string& cgroup_leaf) {
  if (pid <= 0) return false;
  if (pid == main_pid) return true;
  char path[64];
  if (!cgroup_leaf.empty()) {
    std::snprintf(path, sizeof path, "/proc/%d/cgroup", static_cast<int>(pid));
    std::ifstream cg(path);
    for (std::string line; std::getline(cg, line);) {
      auto slash = line.rfind('/');
      if (slash != std::string::npos &&
          line.compare(slash + 1, std::string::npos, cgroup_leaf) == 0)
        return true;
    }
    return false;
  }
  // No cgroup of the container (cgroups unusable): the main process's session.
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  std::ifstream st(path);
  std::string text((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 1));
  std::string state;
  long ppid = 0, pgrp = 0, session = 0;
  fields >> state >> ppid >> pgrp >> session;
  return session == main_pid;
}

bool group_exists(pid_t pgid) {
  if (pgid <= 0) return false;
  return ::kill(-pgid, 0) == 0 || errno == EPERM;
}

int exit_code(int code_kind, int status) {
  if (code_kind == CLD_EXITED) return status;
  return 128 + status;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t boot_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

const std::string& boot_id() {
  static const std::string id = [] {
    std::string text;
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::getline(in, text);
    return text;
  }();
  return id;
}

int64_t ticks_to_boot_ns(uint64_t ticks) {
  static const long hz = ::sysconf(_SC_CLK_TCK);
  if (hz <= 0) return 0;
  return static_cast<int64_t>(ticks / static_cast<uint64_t>(hz)) * 1000000000 +
         static_cast<int64_t>(ticks % static_cast<uint64_t>(hz)) * 1000000000 / hz;
}

std::string rfc3339(int64_t ns) {
  if (ns <= 0) return "0001-01-01T00:00:00Z";
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(ns % 1000000000));
  return buf;
}

}  // namespace ctrd::proc
