// ctrd::cgroup against the real cgroups of the machine: every test works below its own
// parent ("ctrd-test-<pid>-<n>"), forks real children into its groups and removes
// everything it made. Without root or cgroups the tests say why (WARN) and pass.
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

namespace cg = ctrd::cgroup;
using namespace std::chrono_literals;

namespace {

/// The content of a file, "" when unreadable.
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The first line of a file, without its newline.
std::string first_line(const std::string& path) {
  std::string s = slurp(path);
  return s.substr(0, s.find('\n'));
}

/// True when `path` exists.
bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

/// Polls `pred` every 10 ms for up to `limit`.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 2000ms) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

/// An independent reading of the v1 layout: the directory of ctrd's own cgroup in the v1
/// hierarchy of `controller` (mountinfo + /proc/self/cgroup), "" when not mounted.
std::string v1_own_dir(const std::string& controller) {
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
std::vector<std::string> cgroup2_mounts() {
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
std::string v2_own_dir() {
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
bool v2_has_memory() {
  for (const auto& point : cgroup2_mounts())
    if (slurp(point + "/cgroup.controllers").find("memory") != std::string::npos) return true;
  return false;
}

/// The state letter of /proc/<pid>/stat ('\0' when the process is gone).
char proc_state(pid_t pid) {
  std::string s = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto paren = s.rfind(')');
  return paren == std::string::npos || paren + 2 >= s.size() ? '\0' : s[paren + 2];
}

}  // namespace

TEST_CASE("cgroup detect picks the layout the host offers", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  if (!v2_has_memory() && !v1_own_dir("memory").empty()) {
    // Hybrid host (this project's build machine): groups on cgroup2, v1 controllers for
    // limits; legacy host: v1 only.
    bool hybrid = !v2_own_dir().empty();
    CHECK(f.h.kind() == (hybrid ? cg::layout::hybrid : cg::layout::legacy));
    CHECK(std::string(cg::to_string(f.h.kind())) == (hybrid ? "hybrid" : "legacy"));
    CHECK(f.h.has_controller("memory"));
    CHECK(f.h.has_freezer() == (hybrid || !v1_own_dir("freezer").empty()));
    if (hybrid) CHECK(exists(f.parent_dir("")));
    CHECK(f.h.has_controller("pids") == !v1_own_dir("pids").empty());
    CHECK(f.h.has_controller("cpu") == !v1_own_dir("cpu").empty());
    CHECK(f.h.has_controller("io") == !v1_own_dir("blkio").empty());
    CHECK_FALSE(f.h.has_controller("cpuset"));
    for (const char* c : v1_controllers)
      if (!v1_own_dir(c).empty()) CHECK(exists(f.parent_dir(c)));
  } else {
    CHECK(f.h.kind() == cg::layout::unified);
    CHECK(f.h.has_controller("memory"));
    CHECK(f.h.has_controller("pids"));
  }
  CHECK(f.h.unavailable_reason().empty());
}

TEST_CASE("cgroup detect never throws and says why nothing is usable", "[cgroup]") {
  cg::hierarchy h = cg::hierarchy::detect("bad/name");
  CHECK(h.kind() == cg::layout::none);
  CHECK_FALSE(h.unavailable_reason().empty());
  CHECK_FALSE(h.has_freezer());
  cg::limits lim;
  lim.memory_bytes = 1 << 26;
  try {
    h.create("x", lim);
    FAIL("create with --memory succeeded without cgroups");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_argument);
    CHECK_THAT(e.what(),
               Catch::StartsWith("--memory needs the memory cgroup controller, which this "
                                 "host does not have"));
  }
  CHECK_FALSE(h.create("x", {}).valid());
  CHECK_FALSE(h.open("x").valid());
}

TEST_CASE("cgroup operations without a freezer are refused as invalid_state", "[cgroup]") {
  cg::group g;  // no hierarchy: no freezer
  CHECK_FALSE(g.valid());
  CHECK_FALSE(g.frozen());
  try {
    g.freeze();
    FAIL("freeze succeeded without a freezer");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_state);
    CHECK_THAT(e.what(), Catch::StartsWith("pausing needs the cgroup freezer"));
  }
  CHECK(g.kill_all(SIGKILL) == 0);
  CHECK(g.pids().empty());
  CHECK(g.remove());
}

TEST_CASE("cgroup create writes the memory pids and cpu limits and reuses a group", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::limits lim;
  lim.memory_bytes = 64ull << 20;
  lim.pids_max = 32;
  lim.cpu_quota_us = 50000;
  lim.cpu_period_us = 100000;
  lim.cpu_shares = 512;
  for (const char* c : {"memory", "pids", "cpu"}) {
    if (!f.h.has_controller(c)) {
      WARN("skipped: no " << c << " controller");
      return;
    }
  }
  cg::group g = f.create("limits", lim);
  REQUIRE(g.valid());
  CHECK(exists(g.path()));
  if (f.h.kind() == cg::layout::unified) {
    CHECK(first_line(f.dir("limits", "memory") + "/memory.max") == "67108864");
    CHECK(first_line(f.dir("limits", "pids") + "/pids.max") == "32");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.max") == "50000 100000");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.weight") == "20");  // 1 + 510*9999/262142
  } else {
    CHECK(first_line(f.dir("limits", "memory") + "/memory.limit_in_bytes") == "67108864");
    CHECK(first_line(f.dir("limits", "pids") + "/pids.max") == "32");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.cfs_period_us") == "100000");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.cfs_quota_us") == "50000");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.shares") == "512");
    if (f.h.has_freezer()) CHECK(g.path() == f.dir("limits", "freezer"));
    if (f.h.kind() == cg::layout::hybrid) CHECK(g.clone_dir() == f.dir("limits", ""));
  }
  CHECK(g.read_stats().memory_limit == 64ull << 20);

  // The same name again, without limits: the group is reused and its limits reset.
  cg::group again = f.create("limits", {});
  CHECK(again.path() == g.path());
  if (f.h.kind() == cg::layout::unified) {
    CHECK(first_line(f.dir("limits", "memory") + "/memory.max") == "max");
    CHECK(first_line(f.dir("limits", "pids") + "/pids.max") == "max");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.max").rfind("max ", 0) == 0);
  } else if (f.h.kind() == cg::layout::hybrid) {
    // v1 groups exist only for requested limits: the unneeded ones are removed.
    for (const char* c : {"memory", "pids", "cpu"}) CHECK_FALSE(exists(f.dir("limits", c)));
    CHECK(exists(f.dir("limits", "")));
  } else {
    CHECK(first_line(f.dir("limits", "pids") + "/pids.max") == "max");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.cfs_quota_us") == "-1");
    CHECK(first_line(f.dir("limits", "cpu") + "/cpu.shares") == "1024");
  }
  CHECK(again.read_stats().memory_limit == 0);

  CHECK(f.h.open("limits").valid());
  CHECK(f.h.open("limits").path() == g.path());
  CHECK_FALSE(f.h.open("no-such-group").valid());
  CHECK(g.remove());
  CHECK_FALSE(exists(g.path()));
  CHECK_FALSE(f.h.open("limits").valid());
  CHECK(g.remove());  // already gone
}

TEST_CASE("cgroup create throws invalid_argument for a value the kernel refuses", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  if (!f.h.has_controller("cpu") || !f.h.has_controller("memory")) {
    WARN("skipped: no cpu or memory controller");
    return;
  }
  // Memory is applied first; the quota (below the kernel's 1 ms minimum) fails afterwards,
  // so the clean-up of an already limited group is exercised too.
  cg::limits lim;
  lim.memory_bytes = 64ull << 20;
  lim.cpu_quota_us = 500;
  try {
    f.create("refused", lim);
    FAIL("a cpu quota of 500us was accepted");
  } catch (const ctrd::error& e) {
    CHECK(e.code() == ctrd::ec::invalid_argument);
    std::string msg = e.what();
    CHECK(msg.find("cpu quota") != std::string::npos);
    CHECK(msg.find("500") != std::string::npos);
    CHECK(msg.find(std::strerror(EINVAL)) != std::string::npos);
  }
  if (f.h.kind() == cg::layout::unified) {
    CHECK_FALSE(exists(f.h.open("refused").path()));
    CHECK_FALSE(f.h.open("refused").valid());
  } else {
    for (const char* c : v1_controllers) {
      std::string p = f.parent_dir(c);
      if (!p.empty()) CHECK_FALSE(exists(p + "/refused"));
    }
    if (f.h.kind() == cg::layout::hybrid) CHECK_FALSE(exists(f.dir("refused", "")));
  }
  if (f.h.has_controller("pids")) {
    cg::limits neg;
    neg.pids_max = -5;
    CHECK_THROWS_MATCHES(f.create("refused", neg), ctrd::error,
                         Catch::Predicate<ctrd::error>(
                             [](const ctrd::error& e) {
                               return e.code() == ctrd::ec::invalid_argument &&
                                      std::string(e.what()).find("-5") != std::string::npos;
                             },
                             "invalid_argument naming -5"));
    CHECK_FALSE(f.h.open("refused").valid());
  }
}

TEST_CASE("cgroup add moves a child in and remove waits until it is gone", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::group g = f.create("add");
  CHECK(g.pids().empty());
  CHECK(g.empty());
  held_child child([] {
    ::pause();
    return 0;
  });
  g.add(child.pid);
  CHECK(g.pids() == std::vector<pid_t>{child.pid});
  CHECK_FALSE(g.empty());
  // The kernel agrees: the child's own view names the group.
  std::string leaf = "/" + f.parent + "/add";
  CHECK(slurp("/proc/" + std::to_string(child.pid) + "/cgroup").find(leaf) != std::string::npos);
  CHECK(g.read_stats().pids >= (f.h.has_controller("pids") ? 1u : 0u));

  CHECK_FALSE(g.remove());  // a task lives
  CHECK(exists(g.path()));
  ::kill(child.pid, SIGKILL);
  child.wait();
  CHECK(wait_until([&] { return g.pids().empty(); }));
  CHECK(g.remove());
  CHECK_FALSE(exists(g.path()));
}

TEST_CASE("cgroup freeze stops a counting child and thaw resumes it", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  if (!f.h.has_freezer()) {
    WARN("skipped: no cgroup freezer");
    return;
  }
  auto* counter = static_cast<std::atomic<uint64_t>*>(::mmap(nullptr, sizeof(std::atomic<uint64_t>),
                                                             PROT_READ | PROT_WRITE,
                                                             MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  REQUIRE(counter != MAP_FAILED);
  counter->store(0);
  cg::group g = f.create("freeze");
  held_child child([counter] {
    for (;;) {
      counter->fetch_add(1);
      ::usleep(1000);
    }
    return 0;
  });
  g.add(child.pid);
  child.release();
  REQUIRE(wait_until([&] { return counter->load() > 10; }));

  g.freeze();
  CHECK(g.frozen());
  // The kernel freezes asynchronously: wait for the state to settle, then watch.
  const bool v2 = !g.clone_dir().empty();
  std::string state_file = v2 ? g.path() + "/cgroup.events" : g.path() + "/freezer.state";
  CHECK(wait_until([&] {
    std::string s = slurp(state_file);
    return v2 ? s.find("frozen 1") != std::string::npos : s.rfind("FROZEN", 0) == 0;
  }));
  uint64_t before = counter->load();
  std::this_thread::sleep_for(300ms);
  CHECK(counter->load() == before);
  CHECK(g.frozen());
  g.freeze();  // idempotent
  CHECK(g.frozen());

  g.thaw();
  CHECK_FALSE(g.frozen());
  CHECK(wait_until([&] { return counter->load() > before + 10; }));
  ::munmap(counter, sizeof(std::atomic<uint64_t>));
}

TEST_CASE("cgroup kill_all kills a double forked grandchild", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::group g = f.create("kill");
  int report[2];
  REQUIRE(::pipe(report) == 0);
  held_child child([&] {
    ::close(report[0]);
    pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::setsid();
      pid_t self = ::getpid();
      (void)!::write(report[1], &self, sizeof self);
      ::close(report[1]);
      for (;;) ::pause();
    }
    return grandchild > 0 ? 0 : 1;  // the grandchild is reparented away from the test
  });
  ::close(report[1]);
  g.add(child.pid);
  child.release();
  pid_t grandchild = 0;
  REQUIRE(::read(report[0], &grandchild, sizeof grandchild) == sizeof grandchild);
  ::close(report[0]);
  int status = child.wait();
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  REQUIRE(wait_until([&] { return g.pids() == std::vector<pid_t>{grandchild}; }));

  CHECK(g.kill_all(SIGKILL) == 1);
  CHECK(wait_until([&] {
    char s = proc_state(grandchild);
    return s == '\0' || s == 'Z';
  }));
  CHECK(wait_until([&] { return g.pids().empty(); }));
  CHECK_FALSE(g.frozen());
  CHECK(wait_until([&] { return g.remove(); }));
}

TEST_CASE("cgroup kill_all with SIGTERM signals every task and leaves the group thawed",
          "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::group g = f.create("term");
  held_child a([] {
    ::pause();
    return 0;
  });
  held_child b([] {
    ::pause();
    return 0;
  });
  g.add(a.pid);
  g.add(b.pid);
  a.release();
  b.release();
  CHECK(g.pids().size() == 2);
  CHECK(g.kill_all(SIGTERM) == 2);
  CHECK_FALSE(g.frozen());
  for (held_child* c : {&a, &b}) {
    int status = c->wait();
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
  }
  CHECK(g.kill_all(SIGTERM) == 0);  // nothing left
}

namespace {

/// Starts a child in `g` that spins for `spin`, then touches 8 MiB; reads the group's
/// counters once it has (the child is killed afterwards).
cg::stats stats_of_busy_child(const cg::group& g, std::chrono::milliseconds spin) {
  int done[2];
  REQUIRE(::pipe(done) == 0);
  held_child child([&] {
    ::close(done[0]);
    auto end = std::chrono::steady_clock::now() + spin;
    volatile uint64_t x = 0;
    while (std::chrono::steady_clock::now() < end) x = x + 1;
    std::size_t size = 8u << 20;
    char* p = static_cast<char*>(std::malloc(size));
    if (!p) return 1;
    std::memset(p, 1, size);
    (void)!::write(done[1], "d", 1);
    ::pause();
    return p[size - 1] == 1 ? 0 : 3;
  });
  ::close(done[1]);
  g.add(child.pid);
  child.release();
  char c;
  REQUIRE(::read(done[0], &c, 1) == 1);
  ::close(done[0]);
  return g.read_stats();
}

}  // namespace

TEST_CASE("cgroup read_stats reports cpu time and memory use", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::limits lim;
  if (f.h.has_controller("memory")) lim.memory_bytes = 256ull << 20;
  cg::stats s = stats_of_busy_child(f.create("stats", lim), 100ms);
  CHECK(s.cpu_ns >= 20'000'000u);  // at least 20 ms of the 100 ms spun
  if (f.h.has_controller("memory")) {
    CHECK(s.memory_bytes >= (4u << 20));
    CHECK(s.memory_limit == 256ull << 20);
  }
  if (f.h.has_controller("pids")) CHECK(s.pids == 1);
  CHECK(s.oom_kills == 0);
}

TEST_CASE("cgroup read_stats without limits still reports memory and tasks", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  // Hybrid: no v1 group, the figures are summed from /proc.
  cg::stats s = stats_of_busy_child(f.create("plain"), 0ms);
  CHECK(s.memory_bytes >= (4u << 20));
  CHECK(s.pids == 1);
  CHECK(s.memory_limit == 0);
}

TEST_CASE("cgroup clone_dir takes a child at clone time (CLONE_INTO_CGROUP)", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  cg::group g = f.create("cloned");
  if (g.clone_dir().empty()) {
    WARN("skipped: no cgroup2 group (legacy layout)");
    return;
  }
  int dfd = ::open(g.clone_dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(dfd >= 0);
  clone_args args{};
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<uint64_t>(dfd);
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ::close(dfd);
  REQUIRE(pid > 0);
  CHECK(g.pids() == std::vector<pid_t>{static_cast<pid_t>(pid)});
  std::string own = slurp("/proc/" + std::to_string(pid) + "/cgroup");
  CHECK(own.find("/" + f.parent + "/cloned\n") != std::string::npos);
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  CHECK(wait_until([&] { return g.remove(); }));
}

TEST_CASE("cgroup counts the OOM kill of a child over its memory limit", "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  if (!f.h.has_controller("memory")) {
    WARN("skipped: no memory controller");
    return;
  }
  cg::limits lim;
  lim.memory_bytes = 16u << 20;
  cg::group g = f.create("oom", lim);
  CHECK(g.oom_kills() == 0);
  held_child child([] {
    std::size_t size = 64u << 20;
    char* p = static_cast<char*>(std::malloc(size));
    if (!p) return 2;
    for (std::size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;
  });
  g.add(child.pid);
  child.release();
  int status = child.wait();
  bool swap_on = slurp("/proc/swaps").find("\n/") != std::string::npos;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && swap_on) {
    WARN("skipped: the child swapped instead of being OOM-killed (swap is on)");
    return;
  }
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(g.oom_kills() >= 1);
  CHECK(g.read_stats().oom_kills >= 1);
}

TEST_CASE("cgroup every_hierarchy puts a group in each v1 hierarchy with the device allow-list",
          "[cgroup]") {
  fixture f;
  if (!f.usable()) return;
  if (f.h.kind() == cg::layout::unified) {
    WARN("skipped: cgroup v2 only (no v1 hierarchies, no v1 devices controller)");
    return;
  }
  cg::limits lim;
  lim.every_hierarchy = true;
  lim.restrict_devices = true;
  lim.device_rules = {"c 1:3 rwm", "c 136:* rwm"};
  cg::group g = f.create("every", lim);
  REQUIRE(g.valid());
  for (const char* c : {"memory", "cpu", "pids", "freezer", "devices", "cpuset", "name=systemd"}) {
    auto own = v1_own_dir(c);
    if (own.empty()) continue;  // not mounted here
    INFO(c);
    CHECK(exists(own + "/" + f.parent + "/every"));
    CHECK(std::find(g.dirs().begin(), g.dirs().end(), own + "/" + f.parent + "/every") !=
          g.dirs().end());
  }
  if (!v1_own_dir("cpuset").empty())  // a cpuset group takes tasks only with cpus and mems
    CHECK_FALSE(first_line(v1_own_dir("cpuset") + "/" + f.parent + "/every/cpuset.cpus").empty());
  if (f.h.has_controller("devices")) {
    CHECK(g.has_device_control());
    CHECK(slurp(v1_own_dir("devices") + "/" + f.parent + "/every/devices.list") ==
          "c 1:3 rwm\nc 136:* rwm\n");
  }
  // A child can join every hierarchy (cpuset accepts it), and the group goes away.
  held_child child([] { return 0; });
  g.add(child.pid);
  child.release();
  CHECK(WIFEXITED(child.wait()));
  CHECK(wait_until([&] { return g.remove(); }));
  for (const auto& d : g.dirs()) CHECK_FALSE(exists(d));
  // Without every_hierarchy, a host-file-system container has no devices group.
  cg::group plain = f.create("plain", {});
  CHECK_FALSE(plain.has_device_control());
}
