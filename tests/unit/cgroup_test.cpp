// ctrd::cgroup against the real cgroups of the machine: every test works below its own
// parent ("ctrd-test-<pid>-<n>"), forks real children into its groups and removes
// everything it made. Without root or cgroups the tests say why (WARN) and pass.
#include <catch2/catch.hpp>

#include "tests/unit/cgroup_test_support.hpp"

namespace cgroup_test {

using namespace cgroup_test;
using namespace std::chrono_literals;

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

}  // namespace cgroup_test
