// Shared helpers of the cgroup tests (cgroup_test.cpp, cgroup_stats_test.cpp): readings of
// the machine's cgroups made independently of ctrd::cgroup, held children and a fixture
// that creates and removes one test's groups.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <vector>

#include "messages/error.hpp"
#include "runtime/cgroup.hpp"
#include "tests/support/emulation.hpp"

namespace cgroup_test {

namespace cg = ctrd::cgroup;
using namespace std::chrono_literals;

/// The content of a file, "" when unreadable.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The first line of a file, without its newline.
inline std::string first_line(const std::string& path) {
  std::string s = slurp(path);
  return s.substr(0, s.find('\n'));
}

/// True when `path` exists.
inline bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

/// Polls `pred` every 10 ms for up to `limit`.
inline bool wait_until(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = 2000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

/// An independent reading of the v1 layout: the directory of ctrd's own cgroup in the v1
/// hierarchy of `controller` (mountinfo + /proc/self/cgroup), "" when not mounted.
inline std::string v1_own_dir(const std::string& controller) {
  std::string mount;
  std::istringstream mi(slurp("/proc/self/mountinfo"));
  for (std::string line; std::getline(mi, line);) {
    auto dash = line.find(" - cgroup ");
    if (dash == std::string::npos) continue;
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    std::string opts = "," + line.substr(line.rfind(' ') + 1) + ",";
    if (opts.find("," + controller + ",") != std::string::npos) mount = point;
  }
  if (mount.empty()) return "";
  std::istringstream pc(slurp("/proc/self/cgroup"));
  for (std::string line; std::getline(pc, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    std::string ctrls = "," + line.substr(a + 1, b - a - 1) + ",";
    if (ctrls.find("," + controller + ",") == std::string::npos) continue;
    std::string path = line.substr(b + 1);
    return path == "/" ? mount : mount + path;
  }
  return "";
}

/// Where cgroup2 is mounted (mountinfo order).
inline std::vector<std::string> cgroup2_mounts() {
  std::vector<std::string> out;
  std::istringstream mi(slurp("/proc/self/mountinfo"));
  for (std::string line; std::getline(mi, line);) {
    if (line.find(" - cgroup2 ") == std::string::npos) continue;
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    out.push_back(point);
  }
  return out;
}

/// The directory of ctrd's own cgroup on the cgroup2 mount, "" when none is mounted.
inline std::string v2_own_dir() {
  auto mounts = cgroup2_mounts();
  if (mounts.empty()) return "";
  const std::string& mount = mounts.back();
  std::istringstream pc(slurp("/proc/self/cgroup"));
  for (std::string line; std::getline(pc, line);)
    if (line.rfind("0::", 0) == 0) return line == "0::/" ? mount : mount + line.substr(3);
  return "";
}

/// Forks a child that runs `body` once the parent writes a byte to the returned pipe (so
/// that it can be moved into a group first), then exits with body's result.
struct held_child {
  pid_t pid = -1;
  int go = -1;  // write end of the release pipe

  /// Starts the child.
  explicit held_child(const std::function<int()>& body) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Catch2's fatal-signal handlers must not report the child's death as a failure.
      for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
      ::close(p[1]);
      char c;
      if (::read(p[0], &c, 1) != 1) ::_exit(0);
      ::_exit(body());
    }
    ::close(p[0]);
    go = p[1];
  }
  /// Lets the child run `body`.
  void release() {
    REQUIRE(::write(go, "x", 1) == 1);
    ::close(go);
    go = -1;
  }
  /// Waits up to `limit` for the child to end (a frozen child must not hang the test);
  /// returns the wait status, or -1 (a failed check) after the limit.
  int wait(std::chrono::milliseconds limit = 5000ms) {
    int status = 0;
    bool ended = wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, limit);
    CHECK(ended);
    if (!ended) return -1;
    pid = -1;
    return status;
  }
  /// Kills and reaps a child the test left running.
  ~held_child() {
    if (go >= 0) ::close(go);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait_until([&] { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
    }
  }
};

/// One test's parent: detects the hierarchy below a unique name and removes every group
/// (and the parent directories) at the end.
struct fixture {
  std::string parent;
  cg::hierarchy h;
  std::vector<cg::group> groups;

  /// Detects under "ctrd-test-<pid>-<n>".
  fixture() {
    static int n = 0;
    parent = "ctrd-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
    h = cg::hierarchy::detect(parent);
  }
  /// False (with a WARN) when the test cannot run here.
  bool usable() const {
    if (::geteuid() != 0) {
      WARN("skipped: cgroup tests need root");
      return false;
    }
    if (h.kind() == cg::layout::none) {
      WARN("skipped: no usable cgroups: " << h.unavailable_reason());
      return false;
    }
    // Under a user-mode emulator the tests' children are not the processes they count.
    if (auto why = ctrd::test::hidden_threads(); !why.empty()) {
      WARN("skipped: " << why);
      return false;
    }
    return true;
  }
  /// Creates (and remembers for clean-up) a group.
  cg::group create(const std::string& name, const cg::limits& lim = {}) {
    groups.push_back(h.create(name, lim));
    return groups.back();
  }
  /// Where `controller`'s files of group `name` live (v2: the group's directory; hybrid:
  /// the v2 directory for "" and the freezer, v1 ones for the limit controllers).
  std::string dir(const std::string& name, const std::string& controller) const {
    if (h.kind() == cg::layout::unified) return parent_dir("") + "/" + name;
    if (h.kind() == cg::layout::hybrid && (controller.empty() || controller == "freezer"))
      return parent_dir("") + "/" + name;
    return parent_dir(controller) + "/" + name;
  }
  /// The parent directory in `controller`'s hierarchy ("": the cgroup2 parent).
  std::string parent_dir(const std::string& controller) const {
    if (h.kind() == cg::layout::unified) {  // ctrd may have moved itself: ask a group
      for (const auto& g : groups)
        if (g.valid()) return g.path().substr(0, g.path().rfind('/'));
      return "";
    }
    std::string own = controller.empty() ? v2_own_dir() : v1_own_dir(controller);
    return own.empty() ? "" : own + "/" + parent;
  }
  /// Kills what is left in the groups and removes them and the parent directories.
  ~fixture() {
    for (const auto& g : groups) {
      if (!g.valid()) continue;
      try {
        if (g.frozen()) g.thaw();
        g.kill_all(SIGKILL);
        wait_until([&] { return g.remove(); });
      } catch (...) {
      }
    }
    if (h.kind() == cg::layout::unified || h.kind() == cg::layout::hybrid) {
      std::string p = parent_dir("");
      if (!p.empty()) ::rmdir(p.c_str());
    }
    if (h.kind() != cg::layout::unified) {
      for (const char* c :
           {"memory", "cpu", "cpuacct", "pids", "freezer", "blkio", "devices", "cpuset",
            "name=systemd", "net_cls", "perf_event", "hugetlb", "rdma", "misc"}) {
        std::string p = parent_dir(c);
        if (!p.empty()) ::rmdir(p.c_str());
      }
    }
  }
};

/// The controllers the v1 tests check directories for.
const char* const v1_controllers[] = {"memory", "cpu", "cpuacct", "pids", "freezer", "blkio"};

/// True when a cgroup2 mount offers the memory controller at its root.
inline bool v2_has_memory() {
  for (const auto& point : cgroup2_mounts())
    if (slurp(point + "/cgroup.controllers").find("memory") != std::string::npos) return true;
  return false;
}

/// The state letter of /proc/<pid>/stat ('\0' when the process is gone).
inline char proc_state(pid_t pid) {
  std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto paren = s.rfind(')');
  return paren == std::string::npos || paren + 2 >= s.size() ? '\0' : s[paren + 2];
}

}  // namespace cgroup_test
