// ctrd::cgroup's counters against the real cgroups of the machine: CPU time, memory, OOM
// kills, CLONE_INTO_CGROUP and the v1 device allow-list (helpers in cgroup_test_support.hpp).
#include <catch2/catch.hpp>

#include "tests/unit/cgroup_test_support.hpp"

namespace cgroup_stats_test {

using namespace cgroup_test;
using namespace std::chrono_literals;

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

}  // namespace cgroup_stats_test
