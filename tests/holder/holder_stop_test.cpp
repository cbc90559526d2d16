// The holder's stop deadline (--shutdown-timeout, holder/stop_deadline.hpp) as a real
// process around the stand-in daemon (support/fake_daemon.cpp): a daemon stopped with
// SIGSTOP is killed at the deadline and the holder exits; one that stops in time is not.
// The init mode with the real daemon: tests/integration/shutdown_deadline_test.cpp.
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "support/emulation.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace holder_stop_test {

using namespace std::chrono_literals;
using ctrd::test::read_file;
using ctrd::test::temp_dir;
using steady = std::chrono::steady_clock;

namespace {

/// The number after "key " in the fake daemon's start report, or -1.
pid_t reported(const std::string& report, const std::string& key) {
  auto at = report.find(key + " ");
  return at == std::string::npos ? -1 : std::atoi(report.c_str() + at + key.size() + 1);
}

/// True when no process has this pid (not even a zombie).
bool gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

/// The holder with the fake daemon and `--shutdown-timeout 2`; everything it started is
/// killed by pid at the end (SIGKILL also ends a stopped process).
struct stop_run {
  temp_dir dir;
  pid_t holder = -1;
  std::vector<pid_t> extra;

  stop_run() {
    ::setenv("CTRD_DAEMON", FAKE_DAEMON_BIN, 1);
    holder = ctrd::test::spawn_background({CTRD_HOLDER_BIN, dir.path(), "--shutdown-timeout", "2"},
                                          dir / "holder.log");
    ::unsetenv("CTRD_DAEMON");
  }
  ~stop_run() {
    for (pid_t p : extra)
      if (p > 0 && !gone(p)) ::kill(p, SIGKILL);
    if (holder > 0 && ctrd::test::process_alive(holder)) {
      ::kill(holder, SIGKILL);
      ctrd::test::wait_for_exit(holder, 5s);
    }
  }
  /// The first daemon's report (its pid, its two "containers"); fails the test without it.
  std::string first_start() {
    auto path = dir / "start-1.txt";
    auto end = steady::now() + 10s;
    while (::access(path.c_str(), F_OK) != 0 && steady::now() < end)
      std::this_thread::sleep_for(20ms);
    std::string report = read_file(path);
    REQUIRE(reported(report, "daemon") > 0);
    extra = {reported(report, "writer"), reported(report, "seven"), reported(report, "daemon")};
    return report;
  }
  std::string log() const { return read_file(dir / "holder.log"); }
};

}  // namespace

TEST_CASE("holder: a stopped daemon is killed at the shutdown timeout and the holder exits",
          "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  stop_run run;
  pid_t daemon = reported(run.first_start(), "daemon");
  REQUIRE(::kill(daemon, SIGSTOP) == 0);  // hung: it never reads the forwarded SIGTERM
  auto asked = steady::now();
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  int code = ctrd::test::wait_for_exit(run.holder, 20s);
  auto took = steady::now() - asked;
  INFO("holder's log:\n" << run.log());
  REQUIRE(code != -1);  // it ended (else the fixture kills it)
  run.holder = -1;
  CHECK(code == 1);
  CHECK(took >= 1900ms);  // the daemon had its 2 s
  CHECK(took < 10s);
  CHECK(gone(daemon));  // killed and reaped by the holder
  auto log = run.log();
  CHECK(log.find("SIGTERM: the daemon has 2 s to stop (--shutdown-timeout)") != std::string::npos);
  CHECK(log.find("the daemon (pid " + std::to_string(daemon) +
                 ") did not stop within 2 s of the stop request: killing it (SIGKILL)") !=
        std::string::npos);
  CHECK(log.find("killed by signal SIGKILL after the shutdown timeout; its containers keep "
                 "running") != std::string::npos);
  CHECK(log.find("starting it again") == std::string::npos);  // no restart while stopping
}

TEST_CASE("holder: a second stop signal keeps the first deadline", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  stop_run run;
  pid_t daemon = reported(run.first_start(), "daemon");
  REQUIRE(::kill(daemon, SIGSTOP) == 0);
  auto asked = steady::now();
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  std::this_thread::sleep_for(1500ms);
  REQUIRE(::kill(run.holder, SIGINT) == 0);  // does not push the kill back
  int code = ctrd::test::wait_for_exit(run.holder, 20s);
  auto took = steady::now() - asked;
  INFO("holder's log:\n" << run.log());
  REQUIRE(code != -1);
  run.holder = -1;
  CHECK(code == 1);
  // A deadline counted from the SIGINT would kill at 3.5 s at the earliest.
  CHECK(took < 3300ms);
  CHECK(gone(daemon));
}

TEST_CASE("holder: a stop asked during the holder's re-exec is not lost", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  stop_run run;
  pid_t daemon = reported(run.first_start(), "daemon");
  // The holder sees both at once: SIGTERM, then the daemon's exit for a re-exec (the fake
  // daemon asks for it on SIGUSR1 and exits 0).
  REQUIRE(::kill(run.holder, SIGSTOP) == 0);
  REQUIRE(::kill(daemon, SIGUSR1) == 0);
  auto end = steady::now() + 5s;
  while (ctrd::test::process_alive(daemon) && steady::now() < end)  // until a zombie
    std::this_thread::sleep_for(10ms);
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  REQUIRE(::kill(run.holder, SIGCONT) == 0);
  // The re-executed holder asks its new daemon to stop: the fake one exits 0 at SIGTERM.
  int code = ctrd::test::wait_for_exit(run.holder, 10s);
  INFO("holder's log:\n" << run.log());
  REQUIRE(code != -1);
  run.holder = -1;
  CHECK(code == 0);
  auto second = read_file(run.dir / "start-2.txt");
  run.extra.push_back(reported(second, "daemon"));
  CHECK(reported(second, "daemon") > 0);
  CHECK(run.log().find("re-executed: holding 1 descriptors") != std::string::npos);
}

TEST_CASE("holder: a daemon that stops in time is not killed", "[holder]") {
  CTRD_SKIP_WITHOUT(ctrd::test::no_exec_of_own_binaries());
  stop_run run;
  run.first_start();
  REQUIRE(::kill(run.holder, SIGTERM) == 0);
  int code = ctrd::test::wait_for_exit(run.holder, 10s);
  INFO("holder's log:\n" << run.log());
  REQUIRE(code != -1);
  run.holder = -1;
  CHECK(code == 0);
  CHECK(run.log().find("killing it") == std::string::npos);
}

}  // namespace holder_stop_test
