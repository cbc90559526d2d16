// The stop's deadline (--shutdown-timeout, holder/stop_deadline.hpp) with the real daemon:
// a daemon stopped with SIGSTOP is killed when the timeout has passed and ctrd ends all the
// same: in init mode as PID 1 of a PID namespace (what is left gets SIGTERM, then SIGKILL),
// and without it (the containers keep running and the next ctrd adopts them).
#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon.hpp"

namespace shutdown_deadline_test {

using ctrd::test::daemon_options;
using ctrd::test::inspect;
using ctrd::test::live_daemon;
using ctrd::test::run_process;
using ctrd::test::temp_dir;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// True when no process has this pid (not even a zombie).
bool gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

/// The children of `pid` (from /proc): those of each of its threads (the daemon forks from
/// its host loop's thread).
std::vector<pid_t> children(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child = 0;
    while (in >> child) out.push_back(child);
  }
  return out;
}

/// The pid in its innermost PID namespace (the last field of NSpid), or 0.
pid_t innermost_pid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    pid_t last = 0;
    while (fields >> last) {
    }
    return last;
  }
  return 0;
}

/// The host's pid of the descendant of `root` that is `pid_in_ns` in ctrd's PID namespace.
pid_t host_pid(pid_t root, pid_t pid_in_ns) {
  std::vector<pid_t> todo = children(root);
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    if (innermost_pid(p) == pid_in_ns) return p;
    for (pid_t c : children(p)) todo.push_back(c);
  }
  return 0;
}

/// Kills by pid whatever the test started that is still there (a stopped process too).
struct cleanup {
  std::vector<pid_t> pids;
  ~cleanup() {
    for (pid_t p : pids)
      if (p > 0 && !gone(p)) ::kill(p, SIGKILL);
  }
};

}  // namespace

TEST_CASE("init mode: a stopped daemon is killed at the shutdown timeout and PID 1 ends",
          "[survival]") {
  if (!ctrd::test::pid_namespaces_usable()) return;
  daemon_options o;
  o.args = {"--init", "--shutdown-timeout", "2"};
  o.wrapper = {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"};
  live_daemon d(o);
  cleanup left;
  const pid_t holder = d.holder_pid();
  d.ok({"run", "-d", "--name", "svc", "sleep", "1000"});
  // One that ignores SIGTERM: only the holder's SIGKILL round ends it.
  d.ok({"run", "-d", "--name", "stubborn", "sh", "-c", "trap '' TERM; sleep 1000"});
  pid_t svc = host_pid(holder, inspect(d, "svc")["State"]["Pid"].get<pid_t>());
  pid_t stubborn = host_pid(holder, inspect(d, "stubborn")["State"]["Pid"].get<pid_t>());
  const pid_t daemon = d.ctrd_pid();
  REQUIRE(daemon != holder);
  REQUIRE(svc > 0);
  REQUIRE(stubborn > 0);
  left.pids = {svc, stubborn, daemon, holder};
  REQUIRE(::kill(daemon, SIGSTOP) == 0);  // hung: the forwarded SIGTERM waits
  auto asked = steady::now();
  int code = d.terminate(40000);
  auto took = steady::now() - asked;
  INFO("ctrd's log:\n" << d.log());
  REQUIRE(code != -1);  // PID 1 ended (else the fixture kills it)
  CHECK(code == 1);
  CHECK(took >= 1900ms);  // the daemon had its 2 s; the stubborn one 10 s after SIGTERM
  CHECK(took < 30s);
  CHECK(gone(daemon));
  CHECK(gone(svc));
  CHECK(gone(stubborn));
  CHECK(gone(holder));
  auto log = d.log();
  CHECK(log.find("did not stop within 2 s of the stop request: killing it (SIGKILL)") !=
        std::string::npos);
  CHECK(log.find("killed by signal SIGKILL after the shutdown timeout; stopping every process "
                 "left") != std::string::npos);
  CHECK(log.find("sending SIGTERM to every process left (SIGKILL after 10 s)") !=
        std::string::npos);
  CHECK(log.find("processes are left") == std::string::npos);  // SIGKILL ended them all
}

TEST_CASE("holder: without --init a stopped daemon is killed at the shutdown timeout",
          "[survival]") {
  daemon_options o;
  o.args = {"--shutdown-timeout", "2"};
  live_daemon d(o);
  cleanup left;
  d.ok({"run", "-d", "--name", "svc", "sleep", "1000"});
  pid_t svc = inspect(d, "svc")["State"]["Pid"].get<pid_t>();
  const pid_t daemon = d.ctrd_pid();
  REQUIRE(daemon != d.holder_pid());
  left.pids = {svc, daemon};
  REQUIRE(::kill(daemon, SIGSTOP) == 0);
  auto asked = steady::now();
  int code = d.terminate(20000);
  auto took = steady::now() - asked;
  INFO("ctrd's log:\n" << d.log());
  REQUIRE(code != -1);
  CHECK(code == 1);
  CHECK(took >= 1900ms);
  CHECK(took < 10s);
  CHECK(gone(daemon));
  CHECK(d.log().find("its containers keep running: the next ctrd adopts them") !=
        std::string::npos);
  // The container outlived ctrd; the next ctrd (on the same root, with the default
  // timeout) adopts it and stops it at its own end.
  CHECK(ctrd::test::process_alive(svc));
  daemon_options next;
  next.root = d.root();
  live_daemon again(next);
  CHECK(inspect(again, "svc")["State"]["Status"] == "running");
  CHECK(inspect(again, "svc")["State"]["Pid"] == svc);
  int code_again = again.terminate();
  INFO("the next ctrd's log:\n" << again.log());
  CHECK(code_again == 0);
  CHECK_FALSE(ctrd::test::process_alive(svc));
}

TEST_CASE("holder: --shutdown-timeout is checked and listed in the daemon's help", "[survival]") {
  temp_dir dir;
  auto help = run_process({CTRD_BIN, "--help"}, "", 20s);
  CHECK(help.code == 0);
  CHECK(help.out.find("--shutdown-timeout") != std::string::npos);
  auto bad = run_process(
      {CTRD_BIN, "--root", dir / "root", "--socket", dir / "sock", "--shutdown-timeout", "0"}, "",
      20s);
  CHECK(bad.code == 2);
  CHECK(bad.err.find("invalid --shutdown-timeout \"0\"") != std::string::npos);
  // The daemon alone accepts it too (its holder reads it), and checks it.
  auto daemon = std::filesystem::path(CTRD_BIN).parent_path() / "ctrd-daemon";
  auto dbad = run_process({daemon.string(), "--shutdown-timeout", "86401"}, "", 20s);
  CHECK(dbad.code == 2);
  CHECK(dbad.err.find("--shutdown-timeout") != std::string::npos);
}

}  // namespace shutdown_deadline_test
